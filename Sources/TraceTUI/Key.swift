/// A key press, decoded from the terminal by the ncurses backend (or made up by tests).
public enum Key: Hashable, Sendable {
    case character(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case enter, escape, backspace, tab, backTab
    /// Ctrl-C: raw mode delivers it as a key, so quitting restores the terminal like `q` does.
    case interrupt
}
