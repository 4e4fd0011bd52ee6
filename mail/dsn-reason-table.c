/*
 * dsn-reason-table.c - the wording of delivery failures, as data: two
 * ordered tables of lowercase phrases.  The specific table names conditions
 * that no status code expresses better (a full mailbox, a DMARC rejection,
 * spam, a rate limit) and is consulted before the status code; the general
 * table (an unknown user, a blocked client, a timeout) after the firm codes.
 * Within a table the first row that matches wins, so narrower rows come
 * first.  '*' in a phrase stands for up to 64 bytes of anything on the same
 * line ("user * does not exist").
 *
 * The phrases are the common wording of MTAs and large providers (Postfix,
 * Exim, sendmail, qmail, Exchange/Office 365, Gmail, Yahoo, Orange, ...),
 * kept general so that they hold for servers outside the test corpus.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/xalloc.h"

#include "mail/dsn-private.h"

#define R(id) DSN_REASON_##id

struct dsn_reason_phrase {
    enum dsn_reason reason;
    const char *phrase;
};

static const struct dsn_reason_phrase dsn_specific[] = {
    /* local delivery programs */
    {R(MAILERERROR), "pipe to |"},
    {R(MAILERERROR), "command output:"},
    {R(MAILERERROR), "procmail:"},
    {R(MAILERERROR), "maildrop:"},
    {R(MAILERERROR), "command died with status"},
    {R(MAILERERROR), "mailer error"},
    /* the message itself */
    {R(NOTCOMPLIANTRFC), "not rfc 5322 compliant"},
    {R(NOTCOMPLIANTRFC), "not rfc5322 compliant"},
    {R(NOTCOMPLIANTRFC), "not rfc compliant"},
    {R(NOTCOMPLIANTRFC), "multiple addresses in from"},
    {R(NOTCOMPLIANTRFC), "there are multiple * headers"},
    {R(NOTCOMPLIANTRFC), "duplicate header"},
    {R(MESGTOOBIG), "line limit exceeded"},
    {R(MESGTOOBIG), "mail size limit exceeded"},
    {R(EXCEEDLIMIT), "header size exceeds"},
    {R(VIRUSDETECTED), "virus"},
    {R(VIRUSDETECTED), "malware"},
    {R(VIRUSDETECTED), "infected"},
    {R(VIRUSDETECTED), "potentially executable attachment"},
    {R(POLICYVIOLATION), "content presents a potential"},
    {R(POLICYVIOLATION), "illegal attachment"},
    {R(POLICYVIOLATION), "policy violation"},
    {R(POLICYVIOLATION), "protocol violation"},
    {R(POLICYVIOLATION), "violates * policy"},
    {R(POLICYVIOLATION), "denied by policy"},
    {R(POLICYVIOLATION), "for policy reasons"},
    {R(POLICYVIOLATION), "local policy"},
    {R(POLICYVIOLATION), "organization policy"},
    {R(POLICYVIOLATION), "organizational settings"},
    {R(POLICYVIOLATION), "members-only"},
    {R(POLICYVIOLATION), "closed mailing list"},
    {R(POLICYVIOLATION), "not subscribed to this group"},
    /* Japanese carriers' content filters answer "550 : User unknown" with
     * the address left out, after DATA */
    {R(FILTERED), " : user unknown"},
    /* the recipient's mailbox */
    {R(SPEEDING), "receiving mail at a rate"},
    {R(SPEEDING), "receiving mail too quickly"},
    /* RFC 5321 §4.2.2: 452 "insufficient system storage" is the server's, not the mailbox's */
    {R(SYSTEMFULL), "insufficient system storage"},
    {R(MAILBOXFULL), "mailbox is full"},
    {R(MAILBOXFULL), "mailbox full"},
    {R(MAILBOXFULL), "inbox is full"},
    {R(MAILBOXFULL), "inbox full"},
    {R(MAILBOXFULL), "storage limit"},
    {R(MAILBOXFULL), "mailbox limit"},
    {R(MAILBOXFULL), "account is full"},
    {R(MAILBOXFULL), "mailbox is over quota"},
    {R(MAILBOXFULL), "mailbox over quota"},
    {R(MAILBOXFULL), "over quota"},
    {R(MAILBOXFULL), "overquota"},
    {R(MAILBOXFULL), "quota exceeded"},
    {R(MAILBOXFULL), "quota full"},
    {R(MAILBOXFULL), "disk quota"},
    {R(MAILBOXFULL), "exceeded * quota"},
    {R(MAILBOXFULL), "exceeds * quota"},
    {R(MAILBOXFULL), "exceeding * quota"},
    {R(MAILBOXFULL), "over the * quota"},
    {R(MAILBOXFULL), "insufficient * storage"},
    {R(MAILBOXFULL), "not enough storage"},
    {R(MAILBOXFULL), "not enough space"},
    {R(MAILBOXFULL), "does not have enough space"},
    {R(MAILBOXFULL), "mailbox size limit"},
    {R(MAILBOXFULL), "mailbox has exceeded"},
    {R(MAILBOXFULL), "mailbox exceeded"},
    {R(MAILBOXFULL), "mailbox exceeds"},
    {R(MAILBOXFULL), "exceeded the local limit"},
    {R(MAILBOXFULL), "messages in recipient's mailbox exceeded"},
    {R(MAILBOXFULL), "mailfolder is full"},
    {R(MAILBOXFULL), "exceeded storage allocation"},
    {R(MAILBOXFULL), "space has been used up"},
    {R(MAILBOXFULL), "too many messages in"},
    {R(MAILBOXFULL), "boite du destinataire pleine"},
    {R(MAILBOXFULL), "postfach voll"},
    {R(SUSPEND), "is currently suspended"},
    {R(SUSPEND), "has been suspended"},
    {R(SUSPEND), "account has been disabled"},
    {R(SUSPEND), "account is disabled"},
    {R(SUSPEND), "account disabled"},
    {R(SUSPEND), "mailbox disabled"},
    {R(SUSPEND), "mailbox is disabled"},
    {R(SUSPEND), "account is locked"},
    {R(SUSPEND), "account has been locked"},
    {R(SUSPEND), "account is blocked"},
    {R(SUSPEND), "account is inactive"},
    {R(SUSPEND), "account inactive"},
    {R(SUSPEND), "mailbox is inactive"},
    {R(SUSPEND), "mailbox inactive"},
    {R(SUSPEND), "due to inactivity"},
    {R(SUSPEND), "mailbox has been disabled"},
    {R(SUSPEND), "inactive account"},
    {R(SUSPEND), "deactivated mailbox"},
    {R(SUSPEND), "mailbox is frozen"},
    {R(SUSPEND), "user suspended"},
    {R(SUSPEND), "account suspended"},
    {R(SUSPEND), "mailbox suspended"},
    {R(SUSPEND), "account expired"},
    {R(SUSPEND), "account has expired"},
    {R(SUSPEND), "temporarily inactive"},
    {R(SUSPEND), "temporary locked"},
    {R(SUSPEND), "disabled or discontinued"},
    {R(SUSPEND), "invalid/inactive user"},
    {R(SUSPEND), "recipient suspend"},
    {R(SUSPEND), "compte du destinataire est bloque"},
    {R(SUSPEND), "tried to reach is disabled"},
    {R(SUSPEND), "tried to reach is inactive"},
    {R(HASMOVED), "has moved"},
    {R(HASMOVED), "no longer on server"},
    {R(HASMOVED), "not our customer"},
    /* RFC 5321 §3.4: 551 "User not local; please try <forward-path>" */
    {R(HASMOVED), "user not local"},
    {R(SECURITYERROR), "turn on smtp authentication"},
    {R(SECURITYERROR), "without authentication"},
    {R(BLOCKED), "is an open relay"}, /* the client is one */
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
    {R(NORELAYING), "not configured to relay"},
    {R(NORELAYING), "not an open relay"},
    {R(NORELAYING), "in my list of allowed rcpthosts"},
    {R(NORELAYING), "we don't handle mail for"},
    /* Amazon SES refuses to send for a sender identity not verified with it */
    {R(NORELAYING), "email address is not verified"},
    /* the sender's authentication (RFC 7489 DMARC, RFC 7208 SPF, RFC 6376 DKIM) */
    {R(AUTHFAILURE), "dmarc"},
    {R(AUTHFAILURE), "spf check"},
    {R(AUTHFAILURE), "spf validation"},
    {R(AUTHFAILURE), "spf fail"},
    {R(AUTHFAILURE), "spf record"},
    {R(AUTHFAILURE), "spf: "},
    {R(AUTHFAILURE), "sender policy framework"},
    {R(AUTHFAILURE), "dkim"},
    {R(AUTHFAILURE), "authentication checks failed"},
    {R(AUTHFAILURE), "unauthenticated email"},
    {R(AUTHFAILURE), "does not have authentication information"},
    {R(AUTHFAILURE), "fails to pass authentication"},
    {R(AUTHFAILURE), "is not allowed to send mail from"},
    {R(AUTHFAILURE), "not designated"},
    /* the sending host's reverse DNS */
    {R(REQUIREPTR), "ptr record"},
    {R(REQUIREPTR), "ptr resource record"},
    {R(REQUIREPTR), "reverse hostname"},
    {R(REQUIREPTR), "ip name lookup failed"},
    {R(REQUIREPTR), "cannot find your hostname"},
    {R(REQUIREPTR), "cannot resolve your address"},
    {R(REQUIREPTR), "reverse dns failed"},
    {R(REQUIREPTR), "reverse dns required"},
    {R(REQUIREPTR), "fix reverse dns"},
    {R(REQUIREPTR), "custom reverse dns"},
    {R(REQUIREPTR), "no reverse dns"},
    {R(REQUIREPTR), "reverse lookup rejected"},
    {R(REQUIREPTR), "invalid rdns"},
    {R(REQUIREPTR), "generic dns ptr"},
    {R(REQUIREPTR), "unverifyable sending ip"},
    {R(REQUIREPTR), "unverifiable sending ip"},
    /* reputation, spam, rates */
    {R(BADREPUTATION), "reputation"},
    {R(BADREPUTATION), "user complaints"},
    {R(BADREPUTATION), "low sender score"},
    {R(TOOMANYCONN), "too many connections"},
    {R(TOOMANYCONN), "too many concurrent"},
    {R(TOOMANYCONN), "connection limit"},
    {R(TOOMANYCONN), "too many smtp sessions"},
    {R(TOOMANYCONN), "too many recipients"},
    {R(TOOMANYCONN), "frequency limited"},
    {R(TOOMANYCONN), "trop de connexions"},
    {R(RATELIMITED), "rate limit"},
    {R(RATELIMITED), "ratelimit"},
    {R(RATELIMITED), "rate-limit"},
    {R(RATELIMITED), "sending rate"},
    {R(RATELIMITED), "unusual rate"},
    {R(RATELIMITED), "too many messages from"},
    {R(RATELIMITED), "too many messages"}, /* after "too many messages in" (a full mailbox) */
    {R(RATELIMITED), "too many emails"},
    {R(RATELIMITED), "throttling failure"},
    {R(RATELIMITED), "throttled"},
    {R(RATELIMITED), "try again slower"},
    {R(RATELIMITED), "slow down"},
    {R(RATELIMITED), "emails per hour"},
    {R(RATELIMITED), "messages per hour"},
    {R(BLOCKED), "spamhaus"},
    {R(BLOCKED), "spamcop"},
    {R(SPAMDETECTED), "spam"},
    {R(SPAMDETECTED), "unsolicited"},
    {R(SPAMDETECTED), "bulk mail"},
    {R(SPAMDETECTED), "bulk email"},
    {R(SPAMDETECTED), "junk mail"},
    {R(SPAMDETECTED), "content filter"},
    {R(SPAMDETECTED), "message content rejected"},
    {R(SPAMDETECTED), "mail rejete"},
    /* the domain takes no mail (RFC 7505 null MX) */
    {R(NOTACCEPT), "null mx"},
    {R(NOTACCEPT), "nullmx"},
    {R(NOTACCEPT), "does not accept mail"},
    {R(NOTACCEPT), "doesn't receive email"},
    {R(NOTACCEPT), "no smtp service"},
    {R(NOTACCEPT), "mail exchanger or ip address"},
    /* temporary DNS trouble, before "host not found" below */
    {R(NETWORKERROR), "host not found, try again"},
    {R(NETWORKERROR), "host name lookup failure"},
    {R(NETWORKERROR), "unexpected name server reply"},
    {R(NETWORKERROR), "temporary failure in name resolution"},
    {R(NETWORKERROR), "servfail"},
    {R(NETWORKERROR), "dns temporary failure"},
    {R(NETWORKERROR), "temporary dns failure"},
    {R(HOSTUNKNOWN), "host or domain name not found"},
    {R(HOSTUNKNOWN), "name service error"},
    {R(NETWORKERROR), "lookup of * responded with code"},
    {R(HOSTUNKNOWN), "account or domain may not exist"},
};

static const struct dsn_reason_phrase dsn_general[] = {
    /* the sender or its domain was refused (MAIL FROM) */
    {R(REJECTED), "sender address rejected"},
    {R(REJECTED), "domain of sender address"},
    {R(REJECTED), "sender rejected"},
    {R(REJECTED), "sender verify failed"},
    {R(REJECTED), "invalid sender"},
    {R(REJECTED), "sender domain"},
    {R(REJECTED), "empty envelope senders"},
    {R(REJECTED), "null sender"},
    {R(REJECTED), "not a registered gateway user"},
    {R(REJECTED), "administrative prohibition"},
    {R(REJECTED), "batv"},
    {R(REJECTED), "may not exist, or you may not have permission to post"},
    {R(REJECTED), "permission to post"},
    {R(REJECTED), "not a member"},
    /* the domain does not exist */
    {R(HOSTUNKNOWN), "host unknown"},
    {R(HOSTUNKNOWN), "unknown host"},
    {R(HOSTUNKNOWN), "host not found"},
    {R(HOSTUNKNOWN), "domain not found"},
    {R(HOSTUNKNOWN), "domain does not exist"},
    {R(HOSTUNKNOWN), "domain must exist"},
    {R(HOSTUNKNOWN), "no such domain"},
    {R(HOSTUNKNOWN), "nxdomain"},
    {R(HOSTUNKNOWN), "nonexistent domain"},
    {R(HOSTUNKNOWN), "non-existent domain"},
    {R(HOSTUNKNOWN), "unknown domain"},
    {R(HOSTUNKNOWN), "domain unknown"},
    {R(HOSTUNKNOWN), "name or service not known"},
    {R(HOSTUNKNOWN), "couldn't find any host named"},
    {R(HOSTUNKNOWN), "unrouteable address"},
    {R(HOSTUNKNOWN), "unroutable address"},
    {R(HOSTUNKNOWN), "host or domain name not found"},
    {R(HOSTUNKNOWN), "dns lookup failure"},
    {R(HOSTUNKNOWN), "no mx"},
    /* the message is too large */
    {R(MESGTOOBIG), "message size exceeds"},
    {R(MESGTOOBIG), "message too big"},
    {R(MESGTOOBIG), "message is too big"},
    {R(MESGTOOBIG), "message is too large"},
    {R(MESGTOOBIG), "exceeds maximum size"},
    {R(MESGTOOBIG), "message file too big"},
    {R(MESGTOOBIG), "max message size"},
    {R(MESGTOOBIG), "maximum message size"},
    {R(MESGTOOBIG), "exceeded maximum inbound message size"},
    {R(MESGTOOBIG), "message length exceeds"},
    {R(MESGTOOBIG), "size limit"},
    {R(EXCEEDLIMIT), "message too large"},
    /* the mailbox does not exist */
    /* every recipient refused at once: the sender, not a mailbox (Exchange Online) */
    {R(REJECTED), "recipient addresses rejected : access denied"},
    {R(USERUNKNOWN), "recipient address rejected: access denied"},
    {R(USERUNKNOWN), "user unknown"},
    {R(USERUNKNOWN), "user is unknown"},
    {R(USERUNKNOWN), "recipient is unknown"},
    {R(USERUNKNOWN), "mailbox unknown"},
    {R(USERUNKNOWN), "no such local user"},
    {R(USERUNKNOWN), "not a valid user"},
    {R(USERUNKNOWN), "unknown or illegal alias"},
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
    {R(USERUNKNOWN), "user doesn't have a"},
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
    {R(USERUNKNOWN), "address couldn't be found"},
    {R(USERUNKNOWN), "address could not be found"},
    {R(USERUNKNOWN), "address * couldn't be found"},
    {R(USERUNKNOWN), "address * could not be found"},
    {R(USERUNKNOWN), "wasn't found at"},
    {R(USERUNKNOWN), "was not found at"},
    {R(USERUNKNOWN), "account does not exist"},
    {R(USERUNKNOWN), "account * does not exist"},
    {R(USERUNKNOWN), "recipient does not exist"},
    {R(USERUNKNOWN), "recipient not found"},
    {R(USERUNKNOWN), "recipient * not found"},
    {R(USERUNKNOWN), "not a valid recipient"},
    {R(USERUNKNOWN), "not a valid mailbox"},
    {R(USERUNKNOWN), "not a valid address"},
    {R(USERUNKNOWN), "is not a known user"},
    {R(USERUNKNOWN), "check if address is correct"},
    {R(USERUNKNOWN), "not found in * directory"},
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
    {R(USERUNKNOWN), "name is not recognized"},
    /* Japanese Notes/Domino: "not found in the directory", "not in the directory list" */
    {R(USERUNKNOWN), "ディレクトリには見つかりません"},
    {R(USERUNKNOWN), "ディレクトリのリストにありません"},
    {R(USERUNKNOWN), "recipient notfound"},
    {R(USERUNKNOWN), "recipient address rejected."},
    {R(USERUNKNOWN), "not listed in"},
    {R(USERUNKNOWN), "no valid recipients"},
    /* refused by the recipient's own settings */
    {R(FILTERED), "only accepting mail from"},
    {R(FILTERED), "not accepting any mail"},
    {R(FILTERED), "user reject"},
    {R(FILTERED), "recipient preferences"},
    {R(FILTERED), "blocked by the recipient"},
    {R(FILTERED), "refuse to receive"},
    {R(FILTERED), "message rejected due to user rules"},
    {R(FILTERED), "message filtered"},
    {R(FILTERED), "notauthorized"},
    /* the sending client is blocked */
    {R(BLOCKED), "smtp server of your isp"},
    {R(BLOCKED), "banned sending ip"},
    {R(BLOCKED), "unwanted messages have been sent"},
    {R(BLOCKED), "invalid ip for sending"},
    {R(BLOCKED), "not currently accepting mail from your ip"},
    {R(BLOCKED), "refused to talk to me"},
    {R(BLOCKED), "client host rejected"},
    {R(BLOCKED), "helo command rejected"},
    {R(BLOCKED), "invalid helo"},
    {R(BLOCKED), "my name was rejected"},
    {R(BLOCKED), "not accepting connections"},
    {R(BLOCKED), "not allowed to connect"},
    {R(BLOCKED), "dynamic ip"},
    {R(BLOCKED), "not in whitelist"},
    {R(BLOCKED), "blacklist"},
    {R(BLOCKED), "dnsbl"},
    {R(BLOCKED), "black list"},
    {R(BLOCKED), "blocklist"},
    {R(BLOCKED), "block list"},
    {R(BLOCKED), "denylist"},
    {R(BLOCKED), "spamhaus"},
    {R(BLOCKED), "rbl"},
    {R(BLOCKED), "blocked"},
    {R(BLOCKED), "go away"},
    {R(BLOCKED), "service refuse"},
    {R(BLOCKED), "temporarily deferred"},
    /* gave up */
    {R(EXPIRED), "delivery time expired"},
    {R(EXPIRED), "connection timed out"},
    {R(EXPIRED), "timed out"},
    {R(EXPIRED), "could not find a gateway"},
    {R(EXPIRED), "message expired"},
    {R(EXPIRED), "expired"},
    {R(EXPIRED), "retry timeout exceeded"},
    {R(EXPIRED), "retry time not reached"},
    {R(EXPIRED), "giving up"},
    {R(EXPIRED), "could not deliver for"},
    {R(EXPIRED), "could not be delivered for"},
    {R(EXPIRED), "after multiple retries"},
    {R(EXPIRED), "failed * attempts"},
    {R(EXPIRED), "not delivered within"},
    {R(EXPIRED), "is not responding"},
    {R(EXPIRED), "did not accept our requests to connect"},
    {R(EXPIRED), "host not reachable"},
    {R(EXPIRED), "have been failing for a long time"},
    {R(EXPIRED), "has been delayed"},
    {R(EXPIRED), "delivery attempts will continue"},
    /* network */
    {R(NETWORKERROR), "network error"},
    {R(NETWORKERROR), "mail loop"},
    {R(NETWORKERROR), "routing loop"},
    {R(NETWORKERROR), "forwarding loop"},
    {R(NETWORKERROR), "too many hops"},
    {R(NETWORKERROR), "hop count exceeded"},
    {R(NETWORKERROR), "no route to host"},
    {R(NETWORKERROR), "host is unreachable"},
    {R(NETWORKERROR), "network is unreachable"},
    {R(NETWORKERROR), "establish an smtp connection"},
    {R(NETWORKERROR), "unable to connect"},
    {R(NETWORKERROR), "could not connect"},
    {R(NETWORKERROR), "connection reset"},
    {R(NETWORKERROR), "lost connection"},
    {R(NETWORKERROR), "connection refused"},
    {R(NETWORKERROR), "dns error"},
    /* "in the queue too long" after the cause it names (above) */
    {R(EXPIRED), "queue too long"},
    {R(EXPIRED), "in the queue too long"},
    {R(EXPIRED), "too long in queue"},
    {R(EXPIRED), "queue lifetime"},
    /* the receiving system */
    {R(SYSTEMFULL), "mail system full"},
    {R(SYSTEMFULL), "system full"},
    {R(SYSTEMFULL), "insufficient system storage"},
    {R(SYSTEMERROR), "system error"},
    {R(SYSTEMERROR), "internal error"},
    {R(SYSTEMERROR), "server error"},
    {R(SYSTEMERROR), "configuration error"},
    {R(SYSTEMERROR), "local error"},
    {R(SYSTEMERROR), "operating system error"},
    {R(SYSTEMERROR), "temporary local problem"},
    {R(SYSTEMERROR), "could not load"},
    {R(SYSTEMERROR), "transaction failed"},
    {R(SYSTEMERROR), "service unavailable"},
    {R(SYSTEMERROR), "service currently unavailable"},
    {R(SYSTEMERROR), "loops back to myself"},
    {R(SYSTEMERROR), "ldap server"},
    {R(SYSTEMERROR), "timeout waiting"},
    {R(SYSTEMERROR), "i/o error"},
    /* security */
    {R(SECURITYERROR), "does not support tls"},
    {R(SECURITYERROR), "tls required"},
    {R(SECURITYERROR), "tls is required"},
    {R(SECURITYERROR), "requires tls"},
    {R(SECURITYERROR), "starttls is required"},
    {R(SECURITYERROR), "tls handshake"},
    {R(SECURITYERROR), "certificate verification failed"},
    {R(SECURITYERROR), "must issue a starttls"},
    {R(SECURITYERROR), "encryption required"},
    {R(SECURITYERROR), "authentication required"},
    {R(SECURITYERROR), "smtp authentication"},
    {R(SECURITYERROR), "authentication failed"},
    {R(SECURITYERROR), "authentication failure"},
    {R(SECURITYERROR), "not authorized"},
    {R(SECURITYERROR), "unauthenticated"},
    /* content and protocol */
    {R(CONTENTERROR), "8-bit data"},
    {R(CONTENTERROR), "improperly-formatted"},
    {R(CONTENTERROR), "invalid mime"},
    {R(SYNTAXERROR), "syntax error"},
    {R(SYNTAXERROR), "malformed address"},
    {R(SYNTAXERROR), "command unrecognized"},
    {R(SYNTAXERROR), "command not recognized"},
    {R(SYNTAXERROR), "unrecognized command"},
    {R(SYNTAXERROR), "bad sequence of commands"},
    {R(SYNTAXERROR), "improper sequence of commands"},
    {R(SYNTAXERROR), "parameter not implemented"},
    {R(MAILERERROR), "exit code"},
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
                if (skip && t[skip - 1] == '\n')
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

/* "example.org does not exist": a domain, not a user, is missing. */
static bool
dsn_domain_missing(const char *lc, size_t len)
{
    static const char *const tails[] = {" does not exist", " doesn't exist"};
    for (size_t k = 0; k < sizeof tails / sizeof tails[0]; k++) {
        const char *p = memmem(lc, len, tails[k], strlen(tails[k]));
        if (!p)
            continue;
        const char *b = p;
        while (b > lc && !isspace((unsigned char)b[-1]) && b[-1] != '<')
            b--;
        size_t n = (size_t)(p - b);
        if (n > 3 && memchr(b, '.', n) && !memchr(b, '@', n) && isalpha((unsigned char)b[n - 1]))
            return true;
    }
    return false;
}

/* Multi-line SMTP replies repeat the code on each line ("550-5.7.1 Messages
 * with multiple\n550-5.7.1 addresses in From"): drop the repeats after the
 * first line and collapse white space, so phrases match across lines. */
static size_t
dsn_unfold_reply(char *lc, size_t len)
{
    size_t w = 0;
    bool seen = false, space = false;
    for (size_t r = 0; r < len;) {
        bool tok = r + 4 <= len && (r == 0 || lc[r - 1] == ' ' || lc[r - 1] == '\n') &&
                   strchr("245", lc[r]) && isdigit((unsigned char)lc[r + 1]) &&
                   isdigit((unsigned char)lc[r + 2]) && (lc[r + 3] == '-' || lc[r + 3] == ' ');
        if (tok && seen) {
            char code[16];
            r += 4;
            size_t n = dsn_status_at(lc, len, r, code);
            r += n;
            space = true;
            continue;
        }
        seen |= tok;
        char c = lc[r++];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = true;
            continue;
        }
        if (space && w > 0)
            lc[w++] = ' ';
        space = false;
        lc[w++] = c;
    }
    lc[w] = '\0';
    return w;
}

static enum dsn_reason
dsn_table_match(const struct dsn_words *w, const struct dsn_reason_phrase *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (dsn_trigrams_may_have(&w->tri, t[i].phrase) &&
            dsn_glob_search(w->lc, w->len, t[i].phrase))
            return t[i].reason;
    return DSN_REASON_UNDEFINED;
}

void
dsn_words_init(struct dsn_words *w, const char *text, size_t len)
{
    if (!text)
        len = 0;
    if (len > DSN_MAX_DIAGNOSTIC)
        len = DSN_MAX_DIAGNOSTIC;
    char *lc = dsn_lower_dup(text ? text : "", len);
    /* typographic apostrophes ("wasn\u2019t") as ASCII */
    for (char *q = lc; (q = memmem(q, len - (size_t)(q - lc), "\xe2\x80\x99", 3)) != NULL;) {
        memmove(q + 1, q + 3, len - (size_t)(q + 3 - lc));
        len -= 2;
        *q = '\'';
        lc[len] = '\0';
    }
    w->lc = lc;
    w->len = dsn_unfold_reply(lc, len);
    dsn_trigrams_build(&w->tri, w->lc, w->len);
}

void
dsn_words_free(struct dsn_words *w)
{
    free(w->lc);
    w->lc = NULL;
}

enum dsn_reason
dsn_words_reason(const struct dsn_words *w, bool specific)
{
    if (w->len == 0)
        return DSN_REASON_UNDEFINED;
    if (specific)
        return dsn_table_match(w, dsn_specific, sizeof dsn_specific / sizeof dsn_specific[0]);
    if (dsn_domain_missing(w->lc, w->len))
        return DSN_REASON_HOSTUNKNOWN;
    enum dsn_reason found =
        dsn_table_match(w, dsn_general, sizeof dsn_general / sizeof dsn_general[0]);
    if (found == DSN_REASON_UNDEFINED && memmem(w->lc, w->len, "does not exist", 14))
        found = DSN_REASON_USERUNKNOWN;
    return found;
}

enum dsn_reason
dsn_reason_from_text(const char *text, size_t len)
{
    struct dsn_words w;
    dsn_words_init(&w, text, len);
    enum dsn_reason r = dsn_words_reason(&w, true);
    if (r == DSN_REASON_UNDEFINED)
        r = dsn_words_reason(&w, false);
    dsn_words_free(&w);
    return r;
}
