/*
 * dsn-reason-table.c - the wording of delivery failures, as data: an ordered
 * table of lowercase phrases per reason.  The first row that matches a
 * diagnostic wins, so specific reasons (a full mailbox, a DMARC rejection)
 * come before broad ones (a rejected recipient).  '*' in a phrase stands for
 * up to 64 bytes of anything on the same line ("user * does not exist").
 *
 * The phrases are the common wording of MTAs and large providers (Postfix,
 * Exim, sendmail, qmail, Exchange/Office 365, Gmail, Yahoo, ...), written
 * generally enough to hold for servers outside the test corpus.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/xalloc.h"
#include "mail/dsn-private.h"

#define R(id) DSN_REASON_##id

static const struct dsn_reason_phrase {
    enum dsn_reason reason;
    const char *phrase;
} dsn_reason_phrases[] = {
    /* mailbox full */
    {R(MAILBOXFULL), "mailbox is full"},
    {R(MAILBOXFULL), "mailbox full"},
    {R(MAILBOXFULL), "mailbox is over quota"},
    {R(MAILBOXFULL), "mailbox over quota"},
    {R(MAILBOXFULL), "over quota"},
    {R(MAILBOXFULL), "overquota"},
    {R(MAILBOXFULL), "quota exceeded"},
    {R(MAILBOXFULL), "exceeded * quota"},
    {R(MAILBOXFULL), "exceeds * quota"},
    {R(MAILBOXFULL), "exceeding * quota"},
    {R(MAILBOXFULL), "quota full"},
    {R(MAILBOXFULL), "disk quota"},
    {R(MAILBOXFULL), "insufficient * storage"},
    {R(MAILBOXFULL), "not enough storage"},
    {R(MAILBOXFULL), "not enough space"},
    {R(MAILBOXFULL), "does not have enough space"},
    {R(MAILBOXFULL), "mailbox size limit exceeded"},
    {R(MAILBOXFULL), "mailbox has exceeded"},
    {R(MAILBOXFULL), "mailfolder is full"},
    {R(MAILBOXFULL), "exceeded storage allocation"},
    {R(MAILBOXFULL), "space has been used up"},
    {R(MAILBOXFULL), "too many messages"},
    {R(MAILBOXFULL), "boite du destinataire pleine"},
    {R(MAILBOXFULL), "postfach voll"},
    /* message too big */
    {R(MESGTOOBIG), "message too big"},
    {R(MESGTOOBIG), "message is too big"},
    {R(MESGTOOBIG), "message size exceeds"},
    {R(MESGTOOBIG), "message exceeds * size"},
    {R(MESGTOOBIG), "size limit"},
    {R(MESGTOOBIG), "message file too big"},
    {R(MESGTOOBIG), "exceeded maximum inbound message size"},
    {R(MESGTOOBIG), "max message size"},
    {R(MESGTOOBIG), "message length exceeds"},
    {R(MESGTOOBIG), "too large for"},
    {R(EXCEEDLIMIT), "message too large"},
    {R(EXCEEDLIMIT), "header size exceeds"},
    /* account disabled or suspended */
    {R(SUSPEND), "is currently suspended"},
    {R(SUSPEND), "has been suspended"},
    {R(SUSPEND), "account has been disabled"},
    {R(SUSPEND), "account is disabled"},
    {R(SUSPEND), "account disabled"},
    {R(SUSPEND), "mailbox disabled"},
    {R(SUSPEND), "mailbox is disabled"},
    {R(SUSPEND), "account is locked"},
    {R(SUSPEND), "account has been locked"},
    {R(SUSPEND), "account is inactive"},
    {R(SUSPEND), "inactive account"},
    {R(SUSPEND), "deactivated mailbox"},
    {R(SUSPEND), "mailbox is frozen"},
    {R(SUSPEND), "user suspended"},
    {R(SUSPEND), "temporarily inactive"},
    {R(SUSPEND), "temporary locked"},
    {R(SUSPEND), "account expired"},
    {R(SUSPEND), "disabled or discontinued"},
    {R(SUSPEND), "invalid/inactive user"},
    {R(SUSPEND), "recipient suspend"},
    /* moved */
    {R(HASMOVED), "has moved"},
    {R(HASMOVED), "no longer * at this address"},
    {R(HASMOVED), "address has changed"},
    {R(HASMOVED), "changed * address"},
    /* virus */
    {R(VIRUSDETECTED), "virus"},
    {R(VIRUSDETECTED), "malware"},
    {R(VIRUSDETECTED), "potentially executable attachment"},
    {R(VIRUSDETECTED), "infected"},
    /* relaying */
    {R(NORELAYING), "relay access denied"},
    {R(NORELAYING), "relaying denied"},
    {R(NORELAYING), "relay denied"},
    {R(NORELAYING), "relay not permitted"},
    {R(NORELAYING), "relaying not allowed"},
    {R(NORELAYING), "not permitted to relay"},
    {R(NORELAYING), "unable to relay"},
    {R(NORELAYING), "we do not relay"},
    {R(NORELAYING), "relaying mail to"},
    {R(NORELAYING), "not allowed to relay"},
    {R(NORELAYING), "open relay"},
    {R(NORELAYING), "as a relay"},
    {R(NORELAYING), "not configured to relay"},
    {R(NORELAYING), "in my list of allowed rcpthosts"},
    {R(NORELAYING), "we don't handle mail for"},
    /* sender authentication (DMARC, SPF, DKIM) */
    {R(AUTHFAILURE), "dmarc"},
    {R(AUTHFAILURE), "spf check"},
    {R(AUTHFAILURE), "spf validation"},
    {R(AUTHFAILURE), "spf record"},
    {R(AUTHFAILURE), "spf fail"},
    {R(AUTHFAILURE), "spf: "},
    {R(AUTHFAILURE), "sender policy framework"},
    {R(AUTHFAILURE), "dkim"},
    {R(AUTHFAILURE), "authentication checks failed"},
    {R(AUTHFAILURE), "unauthenticated email"},
    {R(AUTHFAILURE), "is not allowed to send mail from"},
    {R(AUTHFAILURE), "not designated"},
    /* reverse DNS */
    {R(REQUIREPTR), "reverse dns"},
    {R(REQUIREPTR), "ptr record"},
    {R(REQUIREPTR), "ptr resource record"},
    {R(REQUIREPTR), "rdns"},
    {R(REQUIREPTR), "reverse lookup"},
    {R(REQUIREPTR), "ip name lookup failed"},
    {R(REQUIREPTR), "cannot find your hostname"},
    {R(REQUIREPTR), "cannot resolve your address"},
    {R(REQUIREPTR), "no ptr"},
    {R(REQUIREPTR), "generic dns ptr"},
    {R(REQUIREPTR), "hostname lookup failed"},
    /* reputation */
    {R(BADREPUTATION), "reputation"},
    {R(BADREPUTATION), "low sender score"},
    /* spam */
    {R(SPAMDETECTED), "spam"},
    {R(SPAMDETECTED), "unsolicited"},
    {R(SPAMDETECTED), "bulk mail"},
    {R(SPAMDETECTED), "bulk email"},
    {R(SPAMDETECTED), "junk mail"},
    {R(SPAMDETECTED), "content filter"},
    {R(SPAMDETECTED), "message content rejected"},
    {R(SPAMDETECTED), "message filtered"},
    /* rate and connection limits */
    {R(TOOMANYCONN), "too many connections"},
    {R(TOOMANYCONN), "too many concurrent"},
    {R(TOOMANYCONN), "connection limit"},
    {R(TOOMANYCONN), "too many smtp sessions"},
    {R(TOOMANYCONN), "too many recipients"},
    {R(TOOMANYCONN), "too many errors"},
    {R(TOOMANYCONN), "trop de connexions"},
    {R(RATELIMITED), "rate limit"},
    {R(RATELIMITED), "ratelimit"},
    {R(RATELIMITED), "rate-limit"},
    {R(RATELIMITED), "sending rate"},
    {R(RATELIMITED), "too many messages from"},
    {R(RATELIMITED), "unusual rate"},
    {R(SPEEDING), "too fast"},
    /* policy */
    {R(POLICYVIOLATION), "policy violation"},
    {R(POLICYVIOLATION), "violates * policy"},
    {R(POLICYVIOLATION), "denied by policy"},
    {R(POLICYVIOLATION), "for policy reasons"},
    {R(POLICYVIOLATION), "local policy"},
    {R(POLICYVIOLATION), "organization policy"},
    {R(POLICYVIOLATION), "organizational settings"},
    {R(POLICYVIOLATION), "security policies"},
    {R(POLICYVIOLATION), "illegal attachment"},
    {R(POLICYVIOLATION), "members-only"},
    {R(POLICYVIOLATION), "closed mailing list"},
    {R(POLICYVIOLATION), "not subscribed to this group"},
    {R(POLICYVIOLATION), "protocol violation"},
    /* the mailbox does not exist */
    {R(USERUNKNOWN), "user unknown"},
    {R(USERUNKNOWN), "unknown user"},
    {R(USERUNKNOWN), "unknown recipient"},
    {R(USERUNKNOWN), "unknown mailbox"},
    {R(USERUNKNOWN), "unknown local part"},
    {R(USERUNKNOWN), "unknown local-part"},
    {R(USERUNKNOWN), "unknown address"},
    {R(USERUNKNOWN), "unknown e-mail address"},
    {R(USERUNKNOWN), "unknown email address"},
    {R(USERUNKNOWN), "address unknown"},
    {R(USERUNKNOWN), "recipient unknown"},
    {R(USERUNKNOWN), "no such user"},
    {R(USERUNKNOWN), "no such mailbox"},
    {R(USERUNKNOWN), "no such recipient"},
    {R(USERUNKNOWN), "no such address"},
    {R(USERUNKNOWN), "no such person"},
    {R(USERUNKNOWN), "no mailbox"},
    {R(USERUNKNOWN), "no account by that name"},
    {R(USERUNKNOWN), "user not found"},
    {R(USERUNKNOWN), "user * not found"},
    {R(USERUNKNOWN), "user * does not exist"},
    {R(USERUNKNOWN), "user does not exist"},
    {R(USERUNKNOWN), "user doesn't exist"},
    {R(USERUNKNOWN), "user not exist"},
    {R(USERUNKNOWN), "user not known"},
    {R(USERUNKNOWN), "mailbox not found"},
    {R(USERUNKNOWN), "mailbox does not exist"},
    {R(USERUNKNOWN), "mailbox * does not exist"},
    {R(USERUNKNOWN), "mailbox unavailable"},
    {R(USERUNKNOWN), "mailbox is unavailable"},
    {R(USERUNKNOWN), "mailbox not available"},
    {R(USERUNKNOWN), "mailbox invalid"},
    {R(USERUNKNOWN), "invalid mailbox"},
    {R(USERUNKNOWN), "invalid recipient"},
    {R(USERUNKNOWN), "invalid address"},
    {R(USERUNKNOWN), "invalid user"},
    {R(USERUNKNOWN), "address does not exist"},
    {R(USERUNKNOWN), "address doesn't exist"},
    {R(USERUNKNOWN), "address not found"},
    {R(USERUNKNOWN), "address rejected"},
    {R(USERUNKNOWN), "account does not exist"},
    {R(USERUNKNOWN), "account * does not exist"},
    {R(USERUNKNOWN), "recipient does not exist"},
    {R(USERUNKNOWN), "recipient not found"},
    {R(USERUNKNOWN), "recipient * not found"},
    {R(USERUNKNOWN), "recipient is not"},
    {R(USERUNKNOWN), "not a valid recipient"},
    {R(USERUNKNOWN), "not a valid mailbox"},
    {R(USERUNKNOWN), "is not a known user"},
    {R(USERUNKNOWN), "not our customer"},
    {R(USERUNKNOWN), "does not exist"},
    {R(USERUNKNOWN), "doesn't exist"},
    {R(USERUNKNOWN), "non-existent"},
    {R(USERUNKNOWN), "nonexistent"},
    {R(USERUNKNOWN), "bad recipient"},
    {R(USERUNKNOWN), "bad destination mailbox"},
    {R(USERUNKNOWN), "badrcptto"},
    {R(USERUNKNOWN), "no longer accepts mail"},
    {R(USERUNKNOWN), "no longer valid"},
    {R(USERUNKNOWN), "there is no one at this address"},
    {R(USERUNKNOWN), "utilisateur inconnu"},
    {R(USERUNKNOWN), "unbekannt"},
    {R(USERUNKNOWN), "recipientnotfound"},
    {R(USERUNKNOWN), "recipient notfound"},
    /* the domain does not exist */
    {R(HOSTUNKNOWN), "host unknown"},
    {R(HOSTUNKNOWN), "unknown host"},
    {R(HOSTUNKNOWN), "host not found"},
    {R(HOSTUNKNOWN), "domain not found"},
    {R(HOSTUNKNOWN), "domain does not exist"},
    {R(HOSTUNKNOWN), "domain must exist"},
    {R(HOSTUNKNOWN), "no such domain"},
    {R(HOSTUNKNOWN), "unknown domain"},
    {R(HOSTUNKNOWN), "domain unknown"},
    {R(HOSTUNKNOWN), "name or service not known"},
    {R(HOSTUNKNOWN), "couldn't find any host named"},
    {R(HOSTUNKNOWN), "mail exchanger or ip address"},
    {R(HOSTUNKNOWN), "no mx"},
    {R(HOSTUNKNOWN), "unrouteable address"},
    {R(HOSTUNKNOWN), "unroutable address"},
    {R(HOSTUNKNOWN), "host or domain name not found"},
    {R(HOSTUNKNOWN), "domain name not found"},
    {R(HOSTUNKNOWN), "dns error"},
    /* filtered by the recipient */
    {R(FILTERED), "only accepting mail from"},
    {R(FILTERED), "not accepting any mail"},
    {R(FILTERED), "user reject"},
    {R(FILTERED), "recipient preferences"},
    {R(FILTERED), "blocked by the recipient"},
    {R(FILTERED), "refuse to receive"},
    {R(FILTERED), "message rejected due to user rules"},
    {R(FILTERED), "notauthorized"},
    /* sender rejected */
    {R(REJECTED), "sender rejected"},
    {R(REJECTED), "sender address rejected"},
    {R(REJECTED), "sender verify failed"},
    {R(REJECTED), "invalid sender"},
    {R(REJECTED), "sender is"},
    {R(REJECTED), "domain of sender address"},
    {R(REJECTED), "sender domain"},
    {R(REJECTED), "empty envelope senders"},
    {R(REJECTED), "null sender"},
    {R(REJECTED), "administrative prohibition"},
    {R(REJECTED), "mail from"},
    {R(REJECTED), "batv"},
    /* the sending host is blocked */
    {R(BLOCKED), "blocked"},
    {R(BLOCKED), "blacklist"},
    {R(BLOCKED), "black list"},
    {R(BLOCKED), "blocklist"},
    {R(BLOCKED), "block list"},
    {R(BLOCKED), "denylist"},
    {R(BLOCKED), "rbl"},
    {R(BLOCKED), "spamhaus"},
    {R(BLOCKED), "dynamic ip"},
    {R(BLOCKED), "client host rejected"},
    {R(BLOCKED), "not currently accepting mail from your ip"},
    {R(BLOCKED), "refused to talk to me"},
    {R(BLOCKED), "access denied"},
    {R(BLOCKED), "connection refused"},
    {R(BLOCKED), "smtp server of your isp"},
    {R(BLOCKED), "helo command rejected"},
    {R(BLOCKED), "go away"},
    {R(BLOCKED), "not allowed to connect"},
    {R(BLOCKED), "temporarily deferred"},
    /* gave up */
    {R(EXPIRED), "queue too long"},
    {R(EXPIRED), "delivery time expired"},
    {R(EXPIRED), "message expired"},
    {R(EXPIRED), "expired"},
    {R(EXPIRED), "retry timeout exceeded"},
    {R(EXPIRED), "retry time not reached"},
    {R(EXPIRED), "giving up on"},
    {R(EXPIRED), "could not be delivered for"},
    {R(EXPIRED), "connection timed out"},
    {R(EXPIRED), "timed out"},
    {R(EXPIRED), "has been delayed"},
    {R(EXPIRED), "delivery attempts will continue"},
    {R(EXPIRED), "have been failing for a long time"},
    /* network */
    {R(NETWORKERROR), "mail loop"},
    {R(NETWORKERROR), "routing loop"},
    {R(NETWORKERROR), "forwarding loop"},
    {R(NETWORKERROR), "too many hops"},
    {R(NETWORKERROR), "hop count exceeded"},
    {R(NETWORKERROR), "no route to host"},
    {R(NETWORKERROR), "host is unreachable"},
    {R(NETWORKERROR), "network is unreachable"},
    {R(NETWORKERROR), "name server"},
    {R(NETWORKERROR), "dns lookup"},
    {R(NETWORKERROR), "lookup failure"},
    {R(NETWORKERROR), "unable to connect"},
    {R(NETWORKERROR), "could not connect"},
    {R(NETWORKERROR), "connection reset"},
    {R(NETWORKERROR), "connection lost"},
    {R(NETWORKERROR), "lost connection"},
    {R(NETWORKERROR), "establish an smtp connection"},
    /* receiving system */
    {R(SYSTEMFULL), "mail system full"},
    {R(SYSTEMFULL), "system full"},
    {R(SYSTEMFULL), "insufficient system storage"},
    {R(SYSTEMERROR), "system error"},
    {R(SYSTEMERROR), "internal error"},
    {R(SYSTEMERROR), "server error"},
    {R(SYSTEMERROR), "configuration error"},
    {R(SYSTEMERROR), "local error"},
    {R(SYSTEMERROR), "temporary local problem"},
    {R(SYSTEMERROR), "service unavailable"},
    {R(SYSTEMERROR), "service currently unavailable"},
    {R(SYSTEMERROR), "loops back to myself"},
    {R(SYSTEMERROR), "ldap server"},
    {R(SYSTEMERROR), "timeout waiting"},
    {R(SYSTEMERROR), "i/o error"},
    /* security */
    {R(SECURITYERROR), "authentication required"},
    {R(SECURITYERROR), "authentication failed"},
    {R(SECURITYERROR), "authentication failure"},
    {R(SECURITYERROR), "tls required"},
    {R(SECURITYERROR), "encryption required"},
    {R(SECURITYERROR), "must issue a starttls"},
    {R(SECURITYERROR), "not authorized"},
    {R(SECURITYERROR), "unauthenticated"},
    /* content */
    {R(CONTENTERROR), "mime"},
    {R(CONTENTERROR), "8-bit data"},
    {R(CONTENTERROR), "improperly-formatted"},
    {R(NOTCOMPLIANTRFC), "rfc 5322"},
    {R(NOTCOMPLIANTRFC), "rfc5322"},
    {R(NOTCOMPLIANTRFC), "rfc 2822"},
    {R(NOTCOMPLIANTRFC), "rfc2822"},
    {R(NOTCOMPLIANTRFC), "not rfc compliant"},
    {R(NOTCOMPLIANTRFC), "multiple * headers"},
    /* the domain takes no mail */
    {R(NOTACCEPT), "does not accept mail"},
    {R(NOTACCEPT), "null mx"},
    {R(NOTACCEPT), "nullmx"},
    {R(NOTACCEPT), "not accepting mail"},
    {R(NOTACCEPT), "not accepting messages"},
    /* local delivery agent */
    {R(MAILERERROR), "mailer error"},
    {R(MAILERERROR), "pipe to |"},
    {R(MAILERERROR), "procmail"},
    {R(MAILERERROR), "maildrop"},
    {R(MAILERERROR), "command died"},
    {R(MAILERERROR), "command failed"},
    {R(MAILERERROR), "exit code"},
    /* protocol */
    {R(SYNTAXERROR), "syntax error"},
    {R(SYNTAXERROR), "command unrecognized"},
    {R(SYNTAXERROR), "command not recognized"},
    {R(SYNTAXERROR), "unrecognized command"},
    {R(SYNTAXERROR), "bad sequence of commands"},
    {R(ONHOLD), "on hold"},
};

/* Match pattern (with '*' gaps) at the start of text. */
static bool
dsn_glob_at(const char *t, size_t tl, const char *p)
{
    while (*p) {
        if (*p == '*') {
            p++;
            while (*p == ' ')
                p++;
            for (size_t skip = 0; skip <= 64 && skip <= tl; skip++) {
                if (skip && (t[skip - 1] == '\n'))
                    break;
                if (dsn_glob_at(t + skip, tl - skip, p))
                    return true;
            }
            return false;
        }
        if (tl == 0 || *t != *p)
            return false;
        t++, tl--, p++;
    }
    return true;
}

static bool
dsn_glob_search(const char *t, size_t tl, const char *p)
{
    const char *star = strchr(p, '*');
    if (!star)
        return memmem(t, tl, p, strlen(p)) != NULL;
    size_t lead = (size_t)(star - p);
    while (lead > 0 && p[lead - 1] == ' ')
        lead--;
    for (const char *hit = memmem(t, tl, p, lead); hit;) {
        size_t off = (size_t)(hit - t);
        if (dsn_glob_at(hit, tl - off, p))
            return true;
        hit = off + 1 < tl ? memmem(hit + 1, tl - off - 1, p, lead) : NULL;
    }
    return false;
}

enum dsn_reason
dsn_reason_from_text(const char *text, size_t len)
{
    if (!text || len == 0)
        return DSN_REASON_UNDEFINED;
    if (len > DSN_MAX_DIAGNOSTIC)
        len = DSN_MAX_DIAGNOSTIC;
    char *lc = dsn_lower_dup(text, len);
    enum dsn_reason found = DSN_REASON_UNDEFINED;
    for (size_t i = 0; i < sizeof dsn_reason_phrases / sizeof dsn_reason_phrases[0]; i++) {
        if (dsn_glob_search(lc, len, dsn_reason_phrases[i].phrase)) {
            found = dsn_reason_phrases[i].reason;
            break;
        }
    }
    free(lc);
    return found;
}
