import CNCurses
import Foundation
import Synchronization
import TraceStore

/// Set from signal handlers; the key loop polls it, so the terminal is restored on SIGTERM too.
private let terminationRequested = Atomic<Bool>(false)

/// The ncurses side of the TUI: takes the terminal over, draws `ScreenBuffer`s, reads keys,
/// and always gives the terminal back.
public enum CursesTerminal {
    /// Runs the browser until the user quits or a signal arrives; the terminal is restored on
    /// every way out, errors included.
    public static func run(store: TraceStore, colors: Bool) throws {
        if setlocale(LC_ALL, "").map({ String(cString: $0).uppercased().contains("UTF-8") || String(cString: $0).uppercased().contains("UTF8") }) != true {
            setlocale(LC_ALL, "C.UTF-8")
        }
        setenv("ESCDELAY", "25", 0)
        // A parent may have left these blocked (test runners do); the terminal must still come back.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        for signalNumber in [SIGTERM, SIGHUP, SIGINT] {
            signal(signalNumber) { _ in terminationRequested.store(true, ordering: .relaxed) }
            sigaddset(&stopSignals, signalNumber)
        }
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
        guard initscr() != nil else { throw TUIError.noTerminal }
        defer { endwin() }
        raw()
        noecho()
        _ = cn_enable_keypad()
        curs_set(0)
        timeout(200)
        if colors, has_colors() {
            start_color()
            use_default_colors()
            init_pair(Int16(ScreenBuffer.Color.error), Int16(COLOR_RED), -1)
            init_pair(Int16(ScreenBuffer.Color.warning), Int16(COLOR_YELLOW), -1)
            let palette = [COLOR_CYAN, COLOR_MAGENTA, COLOR_YELLOW, COLOR_GREEN, COLOR_BLUE, COLOR_CYAN]
            for (index, color) in palette.enumerated() {
                init_pair(Int16(ScreenBuffer.Color.firstService + index), Int16(color), -1)
            }
        }
        let browser = try TraceBrowser(store: store, width: Int(cn_width()), height: Int(cn_height()))
        var dirty = true
        var lastRefresh = ContinuousClock.now
        while !terminationRequested.load(ordering: .relaxed) {
            if dirty {
                draw(browser.draw(), colors: colors)
                dirty = false
            }
            var character: wint_t = 0
            let result = cn_get_wide_char(&character)
            if result != ERR {
                if result == KEY_CODE_YES, Int32(character) == KEY_RESIZE {
                    try browser.resize(width: Int(cn_width()), height: Int(cn_height()))
                } else if let key = decode(character, isFunctionKey: result == KEY_CODE_YES) {
                    guard try browser.handle(key) else { return }
                }
                dirty = true
            }
            if ContinuousClock.now - lastRefresh > .milliseconds(500) {
                lastRefresh = .now
                if try browser.refreshIfChanged() { dirty = true }
            }
        }
    }

    static func decode(_ character: wint_t, isFunctionKey: Bool) -> Key? {
        let code = Int32(character)
        if isFunctionKey {
            switch code {
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_PPAGE: return .pageUp
            case KEY_NPAGE: return .pageDown
            case KEY_HOME: return .home
            case KEY_END: return .end
            case KEY_BACKSPACE: return .backspace
            case KEY_ENTER: return .enter
            case KEY_BTAB: return .backTab
            default: return nil
            }
        }
        switch code {
        case 3: return .interrupt
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 0..<32: return nil
        default: return Unicode.Scalar(UInt32(character)).map { .character(Character($0)) }
        }
    }

    private static func draw(_ screen: ScreenBuffer, colors: Bool) {
        for y in 0..<screen.height {
            var x = 0
            while x < screen.width {
                let style = screen.rows[y][x].style
                var run = ""
                let start = x
                while x < screen.width, screen.rows[y][x].style == style {
                    run += screen.rows[y][x].text
                    x += 1
                }
                _ = cn_set_attributes(attributes(for: style, colors: colors))
                _ = cn_move_add(Int32(y), Int32(start), run)
            }
        }
        _ = cn_set_attributes(cn_attr_normal())
        refresh()
    }

    private static func attributes(for style: CellStyle, colors: Bool) -> attr_t {
        var attributes = cn_attr_normal()
        if colors, style.color > 0 { attributes |= cn_color_pair(Int32(style.color)) }
        if style.bold { attributes |= cn_attr_bold() }
        if style.reverse { attributes |= cn_attr_reverse() }
        if style.dim { attributes |= cn_attr_dim() }
        return attributes
    }
}

public enum TUIError: Error, CustomStringConvertible {
    case noTerminal
    public var description: String { "trace tui needs a terminal (standard input and output must be a tty)" }
}
