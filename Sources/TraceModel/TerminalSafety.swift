import Foundation

/// Characters a sender can put in a name or value that act on a terminal instead of printing:
/// C0 and C1 controls, DEL, and the bidirectional overrides that can disguise text.
public enum TerminalSafety {
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value < 0x20 || (0x7F...0x9F).contains(value) || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
    }

    /// JSON text with every unsafe character inside its strings written as a `\uXXXX` escape, which
    /// JSON encoders leave raw above U+001F. The document means the same; printed, it is inert.
    /// (Outside strings JSON has only ASCII punctuation, so any such character is in a string.)
    public static func escapingJSON(_ json: Data) -> Data {
        // Through the raw bytes: `Data`'s own iterator was a tenth of a `trace export`.
        guard json.withUnsafeBytes({ $0.contains(where: { $0 == 0x7F || $0 == 0xC2 || $0 == 0xE2 }) }) else { return json }
        let bytes = [UInt8](json)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count + 64)
        var index = 0
        while index < bytes.count {
            // The UTF-8 forms: DEL; C2 80–9F (C1 controls); E2 80 AA–AE and E2 81 A6–A9 (bidi).
            let byte = bytes[index]
            var length = 0
            if byte == 0x7F {
                length = 1
            } else if byte == 0xC2, index + 1 < bytes.count, (0x80...0x9F).contains(bytes[index + 1]) {
                length = 2
            } else if byte == 0xE2, index + 2 < bytes.count,
                      (bytes[index + 1] == 0x80 && (0xAA...0xAE).contains(bytes[index + 2])) || (bytes[index + 1] == 0x81 && (0xA6...0xA9).contains(bytes[index + 2])) {
                length = 3
            }
            guard length > 0 else {
                out.append(byte)
                index += 1
                continue
            }
            let scalar = String(decoding: bytes[index..<(index + length)], as: UTF8.self).unicodeScalars.first!.value
            let hex = String(scalar, radix: 16)
            out += Array("\\u\(String(repeating: "0", count: 4 - hex.count))\(hex)".utf8)
            index += length
        }
        return Data(out)
    }
}
