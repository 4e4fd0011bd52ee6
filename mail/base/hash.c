/* hash.c - see hash.h. */
#include "mail/base/hash.h"

#include <string.h>

uint64_t
hash_bytes(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *s = data;
    uint64_t h = seed ^ len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
    }
    for (; i < len; i++)
        h = (h ^ s[i]) * 0x100000001b3ULL;
    return h ^ (h >> 32);
}
