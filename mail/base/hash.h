/*
 * hash.h - a fast non-cryptographic hash of a byte string (FNV-style
 * multiply, 8 bytes a step).  For hash tables and damage checks of our own
 * files; never for anything an attacker must not be able to collide.
 */
#ifndef NIXIE_BASE_HASH_H
#define NIXIE_BASE_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t hash_bytes(const void *data, size_t len, uint64_t seed);

#endif
