#include <stdio.h>
#include <readline/readline.h>
#include <readline/history.h>

// Readline is configured through global variables. Swift 6 refuses to touch C globals from
// Swift (they are unchecked shared state), so the REPL reaches them through these functions;
// the REPL is single-threaded, which is what makes the globals safe.
static inline void rappi_readline_configure(rl_getc_func_t *getc, rl_completion_func_t *complete) {
    rl_catch_signals = 0;
    rl_catch_sigwinch = 1;
    rl_getc_function = getc;
    rl_readline_name = "rappi";
    rl_attempted_completion_function = complete;
    rl_basic_word_break_characters = " \t\n\"=;{}(),";
    // Paths with spaces complete inside "double quotes", rappi's own quoting: readline opens the
    // quote when a completed file name needs it, and completes within one the user opened.
    rl_completer_quote_characters = "\"";
    rl_filename_quote_characters = " \t;#{}()=$'";
    // A `{ … }` block typed over several lines is one history entry, also across sessions:
    // with timestamps in the file, readline joins the lines that follow one into one entry.
    history_write_timestamps = 1;
    history_multiline_entries = 1;
}

static inline const char *rappi_readline_line_buffer(void) { return rl_line_buffer; }

/// Tells readline the completion is rappi's (no file-name fallback) and what follows a match.
static inline void rappi_readline_completion_done(int append_character) {
    rl_attempted_completion_over = 1;
    rl_completion_append_character = append_character;
}

static inline int rappi_history_length(void) { return history_length; }
static inline int rappi_history_base(void) { return history_base; }
