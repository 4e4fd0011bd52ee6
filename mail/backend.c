/*
 * backend.c - the generic store and folder handles: they hold a backend's
 * ops table and private data and dispatch every call to it (neomutt MxOps).
 *
 * Does not: know any backend; a missing op fails with NX_ERR_INTERNAL.
 * Invariant: a folder handle keeps a pointer to its store; the caller frees
 * folders before their store.
 */
#include "mail/backend.h"

#include <stdlib.h>

#include "mail/base/xalloc.h"

struct mail_store {
    const struct mail_backend_ops *ops;
    void *priv;
};

struct mail_folder {
    struct mail_store *store;
    char *name;
    void *priv;
};

static int
backend_unsupported(struct nx_err *err, const struct mail_backend_ops *ops, const char *what)
{
    return nx_err_set(err, NX_ERR_INTERNAL, "the %s backend cannot %s", ops->name, what);
}

struct mail_store *
mail_store_open(const struct mail_backend_ops *ops, const char *location,
                const struct mail_store_options *opts, struct nx_err *err)
{
    struct mail_store_options none = {0};
    void *priv = NULL;
    if (ops == NULL || ops->store_open == NULL || location == NULL) {
        nx_err_set(err, NX_ERR_INTERNAL, "no mail backend or location given");
        return NULL;
    }
    if (ops->store_open(location, opts ? opts : &none, &priv, err) < 0)
        return NULL;
    struct mail_store *st = xcalloc(1, sizeof *st);
    st->ops = ops;
    st->priv = priv;
    return st;
}

void
mail_store_free(struct mail_store *st)
{
    if (st == NULL)
        return;
    if (st->ops->store_free)
        st->ops->store_free(st->priv);
    free(st);
}

int
mail_store_list_folders(struct mail_store *st, struct mail_folder_info **out, size_t *n,
                        struct nx_err *err)
{
    *out = NULL;
    *n = 0;
    if (st->ops->list_folders == NULL)
        return backend_unsupported(err, st->ops, "list folders");
    return st->ops->list_folders(st->priv, out, n, err);
}

void
mail_folder_infos_free(struct mail_folder_info *infos, size_t n)
{
    if (infos == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        free(infos[i].name);
    free(infos);
}

int
mail_store_append(struct mail_store *st, const char *folder, const char *data, size_t len,
                  unsigned flags, char **key_out, struct nx_err *err)
{
    if (key_out)
        *key_out = NULL;
    if (st->ops->append == NULL)
        return backend_unsupported(err, st->ops, "append messages");
    return st->ops->append(st->priv, folder, data, len, flags, key_out, err);
}

int
mail_store_create_folder(struct mail_store *st, const char *name, struct nx_err *err)
{
    if (st->ops->create_folder == NULL)
        return backend_unsupported(err, st->ops, "create folders");
    return st->ops->create_folder(st->priv, name, err);
}

int
mail_store_poll_fd(struct mail_store *st)
{
    return st->ops->poll_fd ? st->ops->poll_fd(st->priv) : -1;
}

struct mail_folder *
mail_folder_open(struct mail_store *st, const char *name, struct nx_err *err)
{
    void *fpriv = NULL;
    if (st->ops->folder_open == NULL) {
        backend_unsupported(err, st->ops, "open folders");
        return NULL;
    }
    if (st->ops->folder_open(st->priv, name ? name : "INBOX", &fpriv, err) < 0)
        return NULL;
    struct mail_folder *f = xcalloc(1, sizeof *f);
    f->store = st;
    f->name = xstrdup(name ? name : "INBOX");
    f->priv = fpriv;
    return f;
}

void
mail_folder_free(struct mail_folder *f)
{
    if (f == NULL)
        return;
    if (f->store->ops->folder_free)
        f->store->ops->folder_free(f->priv);
    free(f->name);
    free(f);
}

const char *
mail_folder_name(const struct mail_folder *f)
{
    return f->name;
}

int
mail_folder_list(struct mail_folder *f, const struct mail_progress *progress,
                 struct mail_envelope ***out, size_t *n, struct nx_err *err)
{
    *out = NULL;
    *n = 0;
    if (f->store->ops->list_envelopes == NULL)
        return backend_unsupported(err, f->store->ops, "list messages");
    return f->store->ops->list_envelopes(f->priv, progress, out, n, err);
}

int
mail_folder_fetch(struct mail_folder *f, const struct mail_envelope *env, struct mail_message **out,
                  struct nx_err *err)
{
    *out = NULL;
    if (f->store->ops->fetch == NULL)
        return backend_unsupported(err, f->store->ops, "fetch messages");
    return f->store->ops->fetch(f->priv, env, out, err);
}

int
mail_folder_set_flags(struct mail_folder *f, struct mail_envelope *env, unsigned flags,
                      struct nx_err *err)
{
    if (f->store->ops->set_flags == NULL)
        return backend_unsupported(err, f->store->ops, "change flags");
    return f->store->ops->set_flags(f->priv, env, flags, err);
}

int
mail_folder_move(struct mail_folder *f, const struct mail_envelope *env, const char *dest,
                 struct nx_err *err)
{
    if (f->store->ops->move == NULL)
        return backend_unsupported(err, f->store->ops, "move messages");
    return f->store->ops->move(f->priv, env, dest, err);
}

int
mail_folder_remove(struct mail_folder *f, const struct mail_envelope *env, struct nx_err *err)
{
    if (f->store->ops->remove == NULL)
        return backend_unsupported(err, f->store->ops, "remove messages");
    return f->store->ops->remove(f->priv, env, err);
}

int
mail_folder_check(struct mail_folder *f, struct mail_folder_changes *changes, struct nx_err *err)
{
    *changes = (struct mail_folder_changes){0};
    if (f->store->ops->check == NULL)
        return 0; /* nothing to notice */
    return f->store->ops->check(f->priv, changes, err);
}

void
mail_envelopes_free(struct mail_envelope **envs, size_t n)
{
    if (envs == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        mail_envelope_free(envs[i]);
    free(envs);
}
