/*
 * prompt.c - line input and y/n questions as a screen pushed on the stack
 * (no nested getch loop): an overlay that owns the message line and takes
 * raw keys.
 *
 * Owns the text typed so far (UTF-8, a byte cursor on character
 * boundaries).  On Enter or Esc it pops itself and then calls the done
 * callback, which may push other screens.  The typed text is sanitised when
 * painted like everything else.
 */
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "mail/base/strbuf.h"
#include "mail/base/utf8.h"
#include "mail/base/xalloc.h"

#include "ui/colour.h"
#include "ui/screen.h"
#include "ui/ui-private.h"

#define PROMPT_MAX_BYTES 1024 /* longer input is refused: folder names, searches */

struct prompt {
    char *question;
    struct strbuf text;
    size_t cursor; /* byte offset into text */
    bool yesno;
    int def;
    ui_prompt_fn *done_line;
    ui_yesno_fn *done_yesno;
    void *arg;
};

static void
prompt_free(struct screen *s)
{
    struct prompt *p = s->data;
    free(p->question);
    strbuf_free(&p->text);
    free(p);
}

/* Width of the sanitised form of s[0..len): what the screen shows. */
static size_t
prompt_width(const char *s, size_t len)
{
    struct strbuf sb = STRBUF_INIT;
    utf8_sanitize(&sb, s, len, 0);
    size_t w = utf8_width(strbuf_str(&sb), sb.len);
    strbuf_free(&sb);
    return w;
}

static void
prompt_draw(struct screen *s, struct ui *ui)
{
    struct prompt *p = s->data;
    int y = ui->rows - 1;
    const char *text = strbuf_str(&p->text);
    ui_paint_fill(y, 0, ui->cols, UI_COLOUR_PROMPT);
    int x = ui_paint_text(y, 0, p->question, ui->cols - 1, UI_COLOUR_PROMPT);
    size_t avail = ui->cols > x + 1 ? (size_t)(ui->cols - x - 1) : 0;
    /* scroll sideways so the cursor stays visible */
    size_t start = 0;
    while (start < p->cursor && prompt_width(text + start, p->cursor - start) > avail) {
        uint32_t cp;
        start += utf8_decode(text + start, p->text.len - start, &cp);
    }
    char *shown = xstrndup(text + start, p->text.len - start);
    ui_paint_text(y, x, shown, (int)avail, UI_COLOUR_PROMPT);
    free(shown);
    move(y, x + (int)prompt_width(text + start, p->cursor - start));
}

/* Pop the prompt, then tell the caller (text NULL: cancelled). */
static void
prompt_finish(struct ui *ui, struct prompt *p, bool ok, int answer)
{
    ui_prompt_fn *done_line = p->done_line;
    ui_yesno_fn *done_yesno = p->done_yesno;
    void *arg = p->arg;
    char *text = ok ? xstrdup(strbuf_str(&p->text)) : NULL;
    ui_screen_pop(ui); /* frees p */
    if (done_yesno != NULL)
        done_yesno(ui, arg, answer);
    else if (done_line != NULL)
        done_line(ui, arg, text);
    free(text);
}

static size_t
prompt_prev_char(const struct prompt *p, size_t at)
{
    while (at > 0) {
        at--;
        if (((unsigned char)p->text.buf[at] & 0xC0) != 0x80)
            break;
    }
    return at;
}

static size_t
prompt_next_char(const struct prompt *p, size_t at)
{
    uint32_t cp;
    return at < p->text.len ? at + utf8_decode(p->text.buf + at, p->text.len - at, &cp) : at;
}

static void
prompt_delete(struct prompt *p, size_t from, size_t to)
{
    if (to <= from)
        return;
    memmove(p->text.buf + from, p->text.buf + to, p->text.len - to + 1);
    p->text.len -= to - from;
    if (p->cursor > to)
        p->cursor -= to - from;
    else if (p->cursor > from)
        p->cursor = from;
}

static void
prompt_insert(struct prompt *p, int key)
{
    struct strbuf enc = STRBUF_INIT;
    utf8_encode(&enc, (uint32_t)key);
    if (p->text.len + enc.len <= PROMPT_MAX_BYTES) {
        strbuf_grow(&p->text, enc.len);
        memmove(p->text.buf + p->cursor + enc.len, p->text.buf + p->cursor,
                p->text.len - p->cursor + 1);
        memcpy(p->text.buf + p->cursor, enc.buf, enc.len);
        p->text.len += enc.len;
        p->cursor += enc.len;
    }
    strbuf_free(&enc);
}

static void
prompt_kill_word(struct prompt *p)
{
    size_t at = p->cursor;
    while (at > 0 && p->text.buf[at - 1] == ' ')
        at--;
    while (at > 0 && p->text.buf[at - 1] != ' ')
        at--;
    prompt_delete(p, at, p->cursor);
}

static void
prompt_edit(struct prompt *p, int key)
{
    switch (key) {
    case KM_KEY_BACKSPACE:
    case 8:
        prompt_delete(p, prompt_prev_char(p, p->cursor), p->cursor);
        break;
    case KM_KEY_DELETE:
    case 4:
        prompt_delete(p, p->cursor, prompt_next_char(p, p->cursor));
        break;
    case KM_KEY_LEFT:
    case 2:
        p->cursor = prompt_prev_char(p, p->cursor);
        break;
    case KM_KEY_RIGHT:
    case 6:
        p->cursor = prompt_next_char(p, p->cursor);
        break;
    case KM_KEY_HOME:
    case 1:
        p->cursor = 0;
        break;
    case KM_KEY_END:
    case 5:
        p->cursor = p->text.len;
        break;
    case 21: /* ^U */
        prompt_delete(p, 0, p->cursor);
        break;
    case 11: /* ^K */
        prompt_delete(p, p->cursor, p->text.len);
        break;
    case 23: /* ^W */
        prompt_kill_word(p);
        break;
    default:
        if (key >= 0x20 && key < 0x110000 && key != 0x7F)
            prompt_insert(p, key);
        break;
    }
}

static void
prompt_key(struct screen *s, struct ui *ui, int key)
{
    struct prompt *p = s->data;
    ui->dirty |= UI_DIRTY_PAINT;
    if (key == KM_KEY_ESC || key == 7 /* ^G */) {
        prompt_finish(ui, p, false, -1);
        return;
    }
    if (p->yesno) {
        if (key == 'y' || key == 'Y')
            prompt_finish(ui, p, true, 1);
        else if (key == 'n' || key == 'N')
            prompt_finish(ui, p, true, 0);
        else if (key == KM_KEY_ENTER)
            prompt_finish(ui, p, true, p->def);
        return;
    }
    if (key == KM_KEY_ENTER)
        prompt_finish(ui, p, true, 1);
    else
        prompt_edit(p, key);
}

static const struct screen_ops prompt_ops = {
    .name = "prompt",
    .km_context = KM_CTX_INDEX, /* unused: keys bypass the keymap */
    .overlay = true,
    .draw = prompt_draw,
    .key = prompt_key,
    .free = prompt_free,
};

static struct prompt *
prompt_new(const char *question)
{
    struct prompt *p = xcalloc(1, sizeof *p);
    p->question = xstrdup(question);
    strbuf_init(&p->text);
    strbuf_add(&p->text, "", 0); /* buf is never NULL: the edits below index it */
    return p;
}

void
ui_prompt_line(struct ui *ui, const char *question, const char *initial, ui_prompt_fn *done,
               void *arg)
{
    struct prompt *p = prompt_new(question);
    if (initial != NULL && strlen(initial) <= PROMPT_MAX_BYTES)
        strbuf_adds(&p->text, initial);
    p->cursor = p->text.len;
    p->done_line = done;
    p->arg = arg;
    ui_screen_push(ui, screen_new(&prompt_ops, p));
}

void
ui_prompt_yesno(struct ui *ui, const char *question, int def, ui_yesno_fn *done, void *arg)
{
    char *q = xasprintf("%s ([%s]/%s): ", question, def ? "yes" : "no", def ? "no" : "yes");
    struct prompt *p = prompt_new(q);
    free(q);
    p->yesno = true;
    p->def = def;
    p->done_yesno = done;
    p->arg = arg;
    ui_screen_push(ui, screen_new(&prompt_ops, p));
}
