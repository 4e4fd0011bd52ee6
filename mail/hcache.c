/* hcache.c - header cache (in progress) */
