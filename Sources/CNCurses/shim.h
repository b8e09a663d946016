// ncursesw for Swift: the wide-character API, plus functions for the parts of curses.h that are
// macros (Swift cannot import function-like macros).
#ifndef CNCURSES_SHIM_H
#define CNCURSES_SHIM_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>

static inline int cn_height(void) { return getmaxy(stdscr); }
static inline int cn_width(void) { return getmaxx(stdscr); }
static inline attr_t cn_color_pair(int pair) { return COLOR_PAIR(pair); }
static inline attr_t cn_attr_bold(void) { return A_BOLD; }
static inline attr_t cn_attr_reverse(void) { return A_REVERSE; }
static inline attr_t cn_attr_dim(void) { return A_DIM; }
static inline attr_t cn_attr_underline(void) { return A_UNDERLINE; }
static inline attr_t cn_attr_normal(void) { return A_NORMAL; }
static inline int cn_set_attributes(attr_t attributes) { return attrset(attributes); }
static inline int cn_move_add(int y, int x, const char *text) { return mvaddstr(y, x, text); }
static inline int cn_get_wide_char(wint_t *character) { return get_wch(character); }
static inline int cn_enable_keypad(void) { return keypad(stdscr, TRUE); }

#endif
