/* maildir.c - Maildir backend (in progress) */
