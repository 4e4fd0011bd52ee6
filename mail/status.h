/*
 * status.h - plain-language meaning of SMTP status codes for the person who
 * sent the mail.
 *
 * Owns the lookup of RFC 3463 enhanced status codes ("5.1.1") and basic SMTP
 * reply codes ("550") in the one table, mail/status-text.def, which the DSN
 * engine, the bounce view, the composer and docs/status-codes.md share.  It
 * does not parse DSNs or SMTP replies beyond the code itself, and it never
 * prints.  Every string it hands out is static and never NULL; lookups are
 * pure functions, safe on hostile input (bounded, no allocation).
 */
#ifndef NIXIE_MAIL_STATUS_H
#define NIXIE_MAIL_STATUS_H

#include <stdbool.h>
#include <stddef.h>

#include "mail/base/strbuf.h"

/* Longest normalised enhanced code, "5.999.999", plus the NUL. */
#define STATUS_CODE_MAX 10

enum status_kind {
    STATUS_KIND_CLASS,   /* "5.X.X"; "3xx" exists for reply codes only */
    STATUS_KIND_SUBJECT, /* "X.1.X" */
    STATUS_KIND_DETAIL,  /* "X.1.1" */
    STATUS_KIND_REPLY,   /* "550" */
};

/* One row of mail/status-text.def.  Numbers a row does not have are -1. */
struct status_entry {
    enum status_kind kind;
    const char *code; /* as the docs show it: "5.X.X", "X.1.X", "X.1.1", "550" */
    int class_digit;  /* CLASS: 2..5 */
    int subject;      /* SUBJECT, DETAIL */
    int detail;       /* DETAIL */
    int reply;        /* REPLY: 200..599 */
    bool on_success;  /* DETAIL: the action also applies to a class-2 code */
    const char *title;
    const char *explanation; /* for the sender */
    const char *action;      /* what the sender can do */
    const char *ref;         /* defining document, "RFC 3463" */
};

/* The meaning of one code: class text composed with the most specific row. */
struct status_info {
    char code[16];                    /* normalised: "5.1.1", "550" */
    const char *class_title;          /* "Permanent failure" */
    const char *class_text;           /* whether it is retried / whether retrying helps */
    const char *subject_title;        /* "Addressing"; "" for reply codes */
    const char *title;                /* "Bad destination mailbox address" */
    const char *explanation;          /* the condition, for the sender */
    const char *action;               /* what the sender can do */
    const struct status_entry *entry; /* the row title..action came from */
    bool known_detail;                /* false: fell back to the subject or class meaning */
    bool success;                     /* class 2 */
    bool intermediate;                /* reply class 3 */
    bool transient;                   /* class 4 */
    bool permanent;                   /* class 5 */
};

/* Look up an enhanced status code such as "5.1.1".  Tolerates surrounding
 * white space, a leading '#' (Exchange) and leading zeros ("5.01.001" is
 * "5.1.1").  Returns 0 and fills *out (may be NULL to only validate), or -1
 * if s is not one code: class 2, 4 or 5, subject and detail of 1-3 digits
 * (RFC 3463 section 2).  An unknown detail falls back to the subject's
 * meaning, an unknown subject to the class's (known_detail is false). */
int status_lookup(const char *s, struct status_info *out);

/* Same for s[0..len), which may hold NUL bytes (then it is not a code). */
int status_lookup_n(const char *s, size_t len, struct status_info *out);

/* Look up a basic reply code such as 550.  Returns 0 and fills *out, or -1
 * outside 200..599.  An unknown code falls back to its first digit. */
int status_lookup_reply(int reply, struct status_info *out);

/* Find an enhanced status code at the start of s, after optional blanks and
 * '#', as in "5.1.1 User unknown".  It must not run on into more digits,
 * letters or ".digit".  Writes the normalised code to buf (when buf is not
 * NULL, size must be >= STATUS_CODE_MAX) and returns the number of bytes of
 * s consumed, or 0 if there is none (buf then holds ""). */
size_t status_parse(const char *s, char *buf, size_t size);

/* Append one paragraph for people: class and code, title, explanation, class
 * text and action.  Plain ASCII text without line breaks. */
void status_describe(const struct status_info *info, struct strbuf *out);

/* The rows of the table in file order, for docs and tests.  status_entry_at
 * returns NULL when i >= status_count(). */
size_t status_count(void);
const struct status_entry *status_entry_at(size_t i);

/* Append docs/status-codes.md (Markdown) generated from the table. */
void status_markdown(struct strbuf *out);

#endif
