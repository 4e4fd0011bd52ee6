/* test-rdoc.c - render/ on strings: the rdoc, sanitising, wrapping, text
 * bodies (quotes, signature, format=flowed) and the built-in HTML
 * converter.  No message model involved. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "mail/base/strbuf.h"
#include "mail/base/utf8.h"

#include "render/render-private.h"
#include "render/render.h"

/* ---- helpers ---- */

/* Every rdoc invariant of render.h, on every line. */
static void
check_doc(const struct rdoc *doc)
{
    for (size_t i = 0; i < doc->nlines; i++) {
        const struct rline *l = &doc->lines[i];
        size_t pos = 0;
        assert_true(utf8_is_safe(l->text, l->len));
        assert_int_equal(strlen(l->text), l->len);
        assert_int_equal(utf8_width(l->text, l->len), l->width);
        assert_true(l->width <= doc->width);
        assert_null(memchr(l->text, '\t', l->len));
        for (size_t s = 0; s < l->nspans; s++) {
            assert_int_equal(l->spans[s].start, pos);
            assert_true(l->spans[s].len > 0);
            pos += l->spans[s].len;
        }
        assert_int_equal(pos, l->len);
    }
}

/* The doc as plain text (or {style} format), caller frees. */
static char *
doc_dump(const struct rdoc *doc, bool styles)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    assert_non_null(fp);
    assert_int_equal(rdoc_print(doc, fp, styles), 0);
    fclose(fp);
    return buf;
}

static void
assert_dump(const struct rdoc *doc, bool styles, const char *want)
{
    check_doc(doc);
    char *got = doc_dump(doc, styles);
    assert_string_equal(got, want);
    free(got);
}

static struct rdoc *
text_doc(size_t width, const char *s)
{
    struct rdoc *doc = rdoc_new(width);
    rdoc_add_text(doc, RSTYLE_NORMAL, s, strlen(s));
    return doc;
}

static void
assert_text(size_t width, const char *in, bool styles, const char *want)
{
    struct rdoc *doc = text_doc(width, in);
    assert_dump(doc, styles, want);
    rdoc_free(doc);
}

static struct rdoc *
body_doc(size_t width, const char *s, struct render_text how)
{
    struct render_opts opts;
    render_opts_default(&opts);
    struct rdoc *doc = rdoc_new(width);
    render_text(doc, s, strlen(s), &how, &opts);
    return doc;
}

static void
assert_body(size_t width, const char *in, struct render_text how, bool styles, const char *want)
{
    struct rdoc *doc = body_doc(width, in, how);
    assert_dump(doc, styles, want);
    rdoc_free(doc);
}

static char *
html(const char *in)
{
    struct strbuf sb = STRBUF_INIT;
    render_html_to_text(in, strlen(in), &sb);
    return strbuf_detach(&sb, NULL);
}

static void
assert_html(const char *in, const char *want)
{
    char *got = html(in);
    assert_string_equal(got, want);
    free(got);
}

static const struct render_text plain_how = {.quotes = true, .signature = true};

/* ---- styles and the document ---- */

static void
test_rstyle_names(void **state)
{
    for (int i = 0; i < RSTYLE__COUNT; i++) {
        assert_non_null(rstyle_name(i));
        assert_int_equal(rstyle_from_name(rstyle_name(i)), i);
    }
    assert_string_equal(rstyle_name(RSTYLE_QUOTE2), "quote2");
    assert_int_equal(rstyle_from_name("HDR-NAME"), RSTYLE_HDR_NAME);
    assert_int_equal(rstyle_from_name("no-such-style"), -1);
    assert_int_equal(rstyle_from_name(NULL), -1);
    assert_null(rstyle_name(RSTYLE__COUNT));
}

static void
test_rdoc_degenerate(void **state)
{
    rdoc_free(NULL);
    struct rdoc *doc = rdoc_new(0);
    assert_int_equal(doc->width, RENDER_MIN_WIDTH);
    assert_int_equal(doc->nlines, 0);
    assert_int_equal(rdoc_search(doc, "x", 0, 1), -1);
    rdoc_add_text(doc, RSTYLE_NORMAL, NULL, 0);
    rdoc_add_text(NULL, RSTYLE_NORMAL, "x", 1);
    assert_int_equal(doc->nlines, 0);
    rdoc_add_text(doc, RSTYLE_NORMAL, "", 0); /* one empty line */
    assert_dump(doc, true, "\n");
    assert_int_equal(rdoc_print(NULL, stdout, false), -1);
    rdoc_free(doc);
    doc = rdoc_new(1000000);
    assert_int_equal(doc->width, RENDER_MAX_WIDTH);
    rdoc_free(doc);
}

static void
test_rdoc_print_styles(void **state)
{
    struct rdoc *doc = rdoc_new(40);
    rdoc_add_text(doc, RSTYLE_NOTE, "a note", 6);
    rdoc_add_text(doc, RSTYLE_NORMAL, "x\x1b[2Jy", 6);
    assert_dump(doc, false, "a note\nx^[[2Jy\n");
    assert_dump(doc, true, "{note}a note\n{normal}x{control}^[{normal}[2Jy\n");
    rdoc_free(doc);
}

static void
test_rdoc_search(void **state)
{
    struct rdoc *doc = text_doc(40, "alpha\nBeta gamma\ndelta\nGAMMA ray\n");
    assert_int_equal(rdoc_search(doc, "gamma", 0, 1), 1);
    assert_int_equal(rdoc_search(doc, "gamma", 2, 1), 3);
    assert_int_equal(rdoc_search(doc, "GaMmA", 4, 1), -1);
    assert_int_equal(rdoc_search(doc, "gamma", 99, -1), 3);
    assert_int_equal(rdoc_search(doc, "gamma", 2, -1), 1);
    assert_int_equal(rdoc_search(doc, "alpha", 0, -1), 0);
    assert_int_equal(rdoc_search(doc, "zeta", 3, -1), -1);
    assert_int_equal(rdoc_search(doc, "", 0, 1), -1);
    assert_int_equal(rdoc_search(doc, NULL, 0, 1), -1);
    rdoc_free(doc);
}

static void
test_rdoc_line_limit(void **state)
{
    struct rdoc *doc = rdoc_new(10);
    for (size_t i = 0; i < RENDER_MAX_LINES + 10; i++)
        rdoc_push(doc, "x", 1, &(struct rspan){0, 1, RSTYLE_NORMAL}, 1, 1);
    assert_int_equal(doc->nlines, RENDER_MAX_LINES);
    assert_true(rdoc_full(doc));
    const struct rline *last = &doc->lines[doc->nlines - 1];
    assert_int_equal(last->spans[0].style, RSTYLE_NOTE);
    assert_true(last->width <= 10);
    rdoc_free(doc);
}

/* ---- sanitising ---- */

static void
test_sanitise_escapes(void **state)
{
    /* CSI clear screen, OSC 52 clipboard write, OSC 2 title, BEL, DEL */
    assert_text(80, "a\x1b[2Jb", false, "a^[[2Jb\n");
    assert_text(80, "\x1b]52;c;ZXZpbA==\x07", false, "^[]52;c;ZXZpbA==^G\n");
    assert_text(80, "\x1b]2;pwned\x1b\\", false, "^[]2;pwned^[\\\n");
    assert_text(80, "del\x7f", false, "del^?\n");
    /* C1 CSI as a character, and as a raw (invalid UTF-8) byte */
    assert_text(80,
                "c1 \xc2\x9b"
                "2J",
                false, "c1 <9b>2J\n");
    assert_text(80,
                "raw \x9b"
                "2J",
                false,
                "raw \xef\xbf\xbd"
                "2J\n");
    /* bidi override and isolate become U+FFFD */
    assert_text(80,
                "abc\xe2\x80\xae"
                "def\xe2\x81\xa6",
                false,
                "abc\xef\xbf\xbd"
                "def\xef\xbf\xbd\n");
    /* NUL is shown, not a string end */
    struct rdoc *doc = rdoc_new(80);
    rdoc_add_text(doc, RSTYLE_NORMAL, "a\0b", 3);
    assert_dump(doc, true, "{normal}a{control}^@{normal}b\n");
    rdoc_free(doc);
}

static void
test_sanitise_line_ends(void **state)
{
    assert_text(80, "one\r\ntwo\r\n", false, "one\ntwo\n");
    assert_text(80, "lone\rcr", true, "{normal}lone{control}^M{normal}cr\n");
    assert_text(80, "two\r\r\n", false, "two^M\n");
    assert_text(80, "form\ffeed", false, "form^Lfeed\n");
}

/* ---- wrapping ---- */

static void
test_wrap_ascii(void **state)
{
    assert_text(10, "the quick brown fox jumps over the lazy dog", false,
                "the quick\nbrown fox\njumps over\nthe lazy\ndog\n");
    /* runs of spaces at a break vanish; inside a line they stay */
    assert_text(10, "aaaa  bbbb    cccc dd", false, "aaaa  bbbb\ncccc dd\n");
    /* exactly the width */
    assert_text(10, "0123456789", false, "0123456789\n");
    assert_text(10, "0123456789 x", false, "0123456789\nx\n");
}

static void
test_wrap_long_word(void **state)
{
    assert_text(10, "abcdefghijklmnopqrstuvwxyz", false, "abcdefghij\nklmnopqrst\nuvwxyz\n");
    assert_text(10, "ab abcdefghijklmnop", false, "ab\nabcdefghij\nklmnop\n");
    /* leading spaces then a long word: no empty first line */
    assert_text(10, "   abcdefghijklmnop", false, "   abcdefg\nhijklmnop\n");
}

static void
test_wrap_cjk(void **state)
{
    /* 日本語のテキストです: 10 wide characters, 20 columns */
    const char *s = "日本語のテキストです";
    assert_text(10, s, false, "日本語のテ\nキストです\n");
    /* an odd width leaves the last column empty rather than split a glyph */
    struct rdoc *doc = text_doc(11, s);
    check_doc(doc);
    assert_int_equal(doc->nlines, 2);
    assert_int_equal(doc->lines[0].width, 10);
    rdoc_free(doc);
    /* mixed: words still break at spaces */
    assert_text(12, "abc 中文字符 def", false, "abc 中文字符\ndef\n");
}

static void
test_wrap_combining(void **state)
{
    /* 12 x "e" + COMBINING ACUTE: 12 columns; the marks stay with their e */
    struct strbuf sb = STRBUF_INIT;
    for (int i = 0; i < 12; i++)
        strbuf_adds(&sb, "e\xcc\x81");
    struct rdoc *doc = text_doc(10, sb.buf);
    check_doc(doc);
    assert_int_equal(doc->nlines, 2);
    assert_int_equal(doc->lines[0].width, 10);
    assert_int_equal(doc->lines[0].len, 30);
    assert_int_equal(doc->lines[1].width, 2);
    assert_memory_equal(doc->lines[1].text,
                        "e\xcc\x81"
                        "e\xcc\x81",
                        6);
    rdoc_free(doc);
    strbuf_free(&sb);
}

static void
test_wrap_tabs(void **state)
{
    assert_text(40, "a\tb\tc", false, "a       b       c\n");
    assert_text(40, "abcdefgh\tx", false, "abcdefgh        x\n");
    /* tab stops count display columns, not bytes */
    assert_text(40, "日本\tx", false, "日本    x\n");
    struct render_line ln;
    render_line_init(&ln);
    render_line_add(&ln, RSTYLE_NORMAL, "a\tb", 3, 4);
    assert_string_equal(ln.text.buf, "a   b");
    render_line_reset(&ln);
    render_line_add(&ln, RSTYLE_NORMAL, "\t", 1, 0); /* 0: the default, 8 */
    assert_int_equal(ln.width, 8);
    render_line_free(&ln);
}

static void
test_wrap_modes(void **state)
{
    struct render_opts opts;
    struct render_wrap w;
    struct render_line ln;
    struct rdoc *doc = rdoc_new(10);

    render_opts_default(&opts);
    render_line_init(&ln);
    render_line_add(&ln, RSTYLE_NORMAL, "aaa bbb ccc ddd", 15, 8);
    opts.smart_wrap = false; /* break at the last column */
    render_wrap_init(&w, doc, &opts);
    render_wrap(doc, &ln, &w);
    opts.smart_wrap = true;
    opts.wrap = false; /* cut */
    render_wrap_init(&w, doc, &opts);
    render_wrap(doc, &ln, &w);
    assert_dump(doc, false, "aaa bbb cc\nc ddd\naaa bbb\n");
    render_line_free(&ln);
    rdoc_free(doc);
}

static void
test_wrap_continuation_prefix(void **state)
{
    struct render_opts opts;
    struct render_wrap w;
    struct render_line ln;
    struct rdoc *doc = rdoc_new(12);

    render_opts_default(&opts);
    render_line_init(&ln);
    render_line_add(&ln, RSTYLE_QUOTE1, "> one two three four", 20, 8);
    render_wrap_init(&w, doc, &opts);
    w.cont = "> ";
    w.cont_len = 2;
    w.cont_style = RSTYLE_QUOTE1;
    render_wrap(doc, &ln, &w);
    assert_dump(doc, true, "{quote1}> one two\n{quote1}> three four\n");
    /* a prefix wider than half the line is cut to half */
    rdoc_free(doc);
    doc = rdoc_new(10);
    w.width = 10;
    w.cont = ">>>>>>>>>>>>";
    w.cont_len = 12;
    render_line_reset(&ln);
    render_line_add(&ln, RSTYLE_QUOTE3, "x aaaaaaaaaaaaaaaaaa", 20, 8);
    render_wrap(doc, &ln, &w);
    check_doc(doc);
    assert_string_equal(doc->lines[1].text, ">>>>>aaaaa");
    render_line_free(&ln);
    rdoc_free(doc);
}

static void
test_wrap_huge_line(void **state)
{
    /* A 3 MB line: cut at the line limit with a note, linear time. */
    size_t n = 3u * 1024 * 1024;
    char *s = malloc(n);
    memset(s, 'x', n);
    for (size_t i = 7; i < n; i += 8)
        s[i] = '\t';
    struct rdoc *doc = rdoc_new(80);
    clock_t t0 = clock();
    rdoc_add_text(doc, RSTYLE_NORMAL, s, n);
    assert_true((clock() - t0) / CLOCKS_PER_SEC < 20);
    check_doc(doc);
    assert_int_equal(doc->lines[doc->nlines - 1].spans[0].style, RSTYLE_NOTE);
    rdoc_free(doc);
    free(s);
}

static void
test_urls(void **state)
{
    assert_body(80, "see https://a.example/x?y=1, or www.example.org. mailto:a@b.c!", plain_how,
                true,
                "{normal}see {url}https://a.example/x?y=1{normal}, or {url}www.example.org"
                "{normal}. {url}mailto:a@b.c{normal}!\n");
    assert_body(80, "(http://x.example/a_(b)) xhttp://no http://", plain_how, true,
                "{normal}({url}http://x.example/a_(b){normal}) xhttp://no http://\n");
}

/* ---- text bodies ---- */

static void
test_text_quotes(void **state)
{
    assert_body(40, "hi\n> one\n>> two\n> > three\n>>>> four\n\n", plain_how, true,
                "{normal}hi\n{quote1}> one\n{quote2}>> two\n{quote2}> > three\n"
                "{quote3}>>>> four\n\n");
    struct render_text noq = {0};
    assert_body(40, "> one\n", noq, true, "{normal}> one\n");
}

static void
test_text_signature(void **state)
{
    assert_body(40, "body\n--\nnot sig\n-- \nsig\n> sig too\n", plain_how, true,
                "{normal}body\n{normal}--\n{normal}not sig\n{signature}-- \n"
                "{signature}sig\n{signature}> sig too\n");
    /* a quoted separator starts no signature */
    assert_body(40, "> -- \nx\n", plain_how, true, "{quote1}> -- \n{normal}x\n");
}

static void
test_text_wrapped_quote(void **state)
{
    assert_body(20, ">> alpha beta gamma delta epsilon\n", plain_how, true,
                "{quote2}>> alpha beta gamma\n{quote2}>> delta epsilon\n");
}

static const struct render_text flowed_how = {.flowed = true, .quotes = true, .signature = true};

static void
test_flowed_paragraphs(void **state)
{
    /* soft breaks join, hard breaks stay, a space-stuffed line unstuffs */
    assert_body(80, "This is \nflowed \ntext.\nFixed line.\n From here.\n", flowed_how, false,
                "This is flowed text.\nFixed line.\nFrom here.\n");
    /* joined text is rewrapped to the width */
    assert_body(12, "aaa bbb \nccc ddd \neee\n", flowed_how, false, "aaa bbb ccc\nddd eee\n");
}

static void
test_flowed_delsp(void **state)
{
    struct render_text how = flowed_how;
    how.delsp = true;
    assert_body(80, "Ein lan \ngeswort.\n", how, false, "Ein langeswort.\n");
    assert_body(80, "Ein lan \ngeswort.\n", flowed_how, false, "Ein lan geswort.\n");
}

static void
test_flowed_quotes(void **state)
{
    assert_body(80, ">> deep \n>> text\n> shallow \n> too\nnone\n", flowed_how, true,
                "{quote2}> > deep text\n{quote1}> shallow too\n{normal}none\n");
    /* a depth change ends a paragraph even after a flowed line */
    assert_body(80, "> a \nb\n", flowed_how, false, "> a \nb\n");
    /* the signature separator is never flowed, and ends the paragraph */
    assert_body(80, "text \n-- \nsig\n", flowed_how, true,
                "{normal}text \n{signature}-- \n{signature}sig\n");
}

static void
test_flowed_hostile_depth(void **state)
{
    struct strbuf sb = STRBUF_INIT;
    for (int i = 0; i < 5000; i++)
        strbuf_addc(&sb, '>');
    strbuf_adds(&sb, " deep\n");
    struct rdoc *doc = body_doc(40, sb.buf, flowed_how);
    check_doc(doc);
    assert_int_equal(doc->lines[0].spans[0].style, RSTYLE_QUOTE3);
    rdoc_free(doc);
    strbuf_free(&sb);
}

/* ---- HTML ---- */

static void
test_html_entities(void **state)
{
    assert_html("a &amp; b &lt;c&gt; &quot;d&quot; &apos;", "a & b <c> \"d\" '\n");
    assert_html("caf&eacute; caf&#233; caf&#xE9; caf&#XE9;", "café café café café\n");
    assert_html("x&nbsp;y", "x\xc2\xa0y\n");
    assert_html("&hellip;&mdash;&euro;&copy;", "…—€©\n");
    /* windows-1252 numeric references, as browsers do */
    assert_html("&#150;&#147;", "–“\n");
    /* invalid numbers, unknown names, bare ampersands */
    assert_html("&#0;&#x110000;&#xD800;", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\n");
    assert_html("&bogus; & &; &#; &#x;", "&bogus; & &; &#; &#x;\n");
    assert_html("AT&T &amp", "AT&T &\n");
    assert_html("&ampx", "&ampx\n");
    /* an escape by reference is still only text: render_text shows it */
    assert_html("&#27;[2J", "\x1b[2J\n");
}

static void
test_html_drops_invisible(void **state)
{
    assert_html("<html><head><title>T</title><style>p{color:red}</style></head>"
                "<body><script>alert('<p>x</p>')</script>Hello</body></html>",
                "Hello\n");
    assert_html("<SCRIPT type=x>document.write(1)</SCRIPT >visible", "visible\n");
    assert_html("a<!-- hidden <b>x</b> -->b<!---->c", "abc\n");
    /* a <head> without </head> ends at <body>, or hides nothing */
    assert_html("<head><meta charset=utf-8><body>text", "text\n");
    assert_html("<head>only text", "only text\n");
    /* an unclosed <script> hides the rest, as in a browser */
    assert_html("before<script>var a = 1;", "before\n");
}

static void
test_html_blocks(void **state)
{
    assert_html("<p>one</p><p>two<br>three</p><div>four</div>five",
                "one\n\ntwo\nthree\n\nfour\nfive\n");
    assert_html("<h1>Title</h1>text", "Title\n\ntext\n");
    assert_html("<ul><li>a</li><li>b<ul><li>c</li></ul></li></ul>after",
                "* a\n* b\n  * c\nafter\n");
    assert_html("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc\n");
    assert_html("<blockquote>quoted<blockquote>deeper</blockquote></blockquote>back",
                "> quoted\n>\n> > deeper\n\nback\n");
    assert_html("<pre>  two  spaces\n\tand a tab</pre>", "  two  spaces\n\tand a tab\n");
    assert_html("a<br><br>b", "a\n\nb\n");
}

static void
test_html_whitespace(void **state)
{
    assert_html("  lots \n\n of\t\twhite   space  ", "lots of white space\n");
    assert_html("<b>bold</b> <i>it</i>al<span>ic</span>", "bold italic\n");
    assert_html("", "");
    assert_html("   ", "");
}

static void
test_html_hostile(void **state)
{
    /* literal '<', unterminated tags and quotes, '>' inside attributes */
    assert_html("1 < 2 and 3 <= 4", "1 < 2 and 3 <= 4\n");
    assert_html("<a href=\"x>y\" title='>'>link</a>", "link\n");
    assert_html("text<a href=\"never closed", "text\n");
    assert_html("text<div", "text\n");
    assert_html("</p></div></blockquote></ul>closing only", "closing only\n");
    assert_html("<!doctype html><?xml version=1?>x", "x\n");
    assert_html("<verylongtagnamethatgoesonandon>x</verylongtagnamethatgoesonandon>", "x\n");
    /* deep nesting: prefixes are capped, time stays linear */
    struct strbuf sb = STRBUF_INIT;
    for (int i = 0; i < 20000; i++)
        strbuf_adds(&sb, "<blockquote><ul><li>");
    strbuf_adds(&sb, "deep");
    for (int i = 0; i < 200000; i++)
        strbuf_adds(&sb, "<head><script");
    char *out = html(sb.buf);
    assert_non_null(strstr(out, "> > > > > > > > "));
    assert_non_null(strstr(out, "deep"));
    assert_true(strlen(out) < 8 * sb.len + 4096);
    free(out);
    strbuf_free(&sb);
}

static void
test_html_then_text(void **state)
{
    /* converter output through the text pipeline: sanitised, quotes styled */
    char *out = html("<blockquote>q &#27;]0;t&#7;</blockquote><p>a\xc2\x9b</p>");
    struct render_text how = {.quotes = true};
    assert_body(40, out, how, true,
                "{quote1}> q {control}^[{quote1}]0;t{control}^G\n\n{normal}a{control}<9b>\n");
    free(out);
}

int
main(void)
{
    utf8_locale_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rstyle_names),
        cmocka_unit_test(test_rdoc_degenerate),
        cmocka_unit_test(test_rdoc_print_styles),
        cmocka_unit_test(test_rdoc_search),
        cmocka_unit_test(test_rdoc_line_limit),
        cmocka_unit_test(test_sanitise_escapes),
        cmocka_unit_test(test_sanitise_line_ends),
        cmocka_unit_test(test_wrap_ascii),
        cmocka_unit_test(test_wrap_long_word),
        cmocka_unit_test(test_wrap_cjk),
        cmocka_unit_test(test_wrap_combining),
        cmocka_unit_test(test_wrap_tabs),
        cmocka_unit_test(test_wrap_modes),
        cmocka_unit_test(test_wrap_continuation_prefix),
        cmocka_unit_test(test_wrap_huge_line),
        cmocka_unit_test(test_urls),
        cmocka_unit_test(test_text_quotes),
        cmocka_unit_test(test_text_signature),
        cmocka_unit_test(test_text_wrapped_quote),
        cmocka_unit_test(test_flowed_paragraphs),
        cmocka_unit_test(test_flowed_delsp),
        cmocka_unit_test(test_flowed_quotes),
        cmocka_unit_test(test_flowed_hostile_depth),
        cmocka_unit_test(test_html_entities),
        cmocka_unit_test(test_html_drops_invisible),
        cmocka_unit_test(test_html_blocks),
        cmocka_unit_test(test_html_whitespace),
        cmocka_unit_test(test_html_hostile),
        cmocka_unit_test(test_html_then_text),
    };
    return cmocka_run_group_tests_name("rdoc", tests, NULL, NULL);
}
