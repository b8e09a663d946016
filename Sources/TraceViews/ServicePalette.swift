/// One colour per service, chosen from the name so a service keeps its colour everywhere.
public enum ServicePalette {
    public static let count = 6

    public static func index(for service: String) -> Int {
        let hash = service.unicodeScalars.reduce(UInt32(5381)) { ($0 &<< 5) &+ $0 &+ $1.value }
        return Int(hash % UInt32(count))
    }
}
