/*
 * msgops.c - what index and pager both do to the open folder: open another
 * folder (with progress), check for new mail, flag, save (move), purge, step
 * and search.
 *
 * Handlers in the sense of ui/screen.h: they change ui->mbox, set dirty bits
 * and say what happened on the message line; they never paint.  Errors from
 * the backend are shown with ui_error() and leave the index as it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/xalloc.h"

#include "ui/mbox.h"
#include "ui/screen.h"
#include "ui/ui-private.h"

/* The cursor on a fresh folder: the first unread message, else the newest. */
static void
ops_initial_cursor(struct ui_mbox *mb)
{
    size_t pos = ui_mbox_find(mb, 0, 1, true);
    if (pos == UI_THREAD_NONE)
        pos = mb->newest_first || mb->n == 0 ? 0 : mb->n - 1;
    mb->cur = pos;
}

void
ui_ops_open_folder(struct ui *ui, const char *name)
{
    struct nx_err err = {0};
    struct ui_progress pr;
    struct mail_progress mp;
    char label[160];
    if (ui->store == NULL) {
        ui_message(ui, "No mail store is open (start nixie with -f PATH or --demo)");
        return;
    }
    snprintf(label, sizeof label, "Reading %s...", name);
    ui_progress_init(&pr, ui, label, &mp);
    struct ui_mbox *mb = ui_mbox_open(ui->store, name, &mp, &err);
    if (mb == NULL) {
        if (pr.cancelled || err.code == NX_ERR_CANCEL)
            ui_message(ui, "Reading %s cancelled.", name);
        else
            ui_error(ui, &err);
        ui->dirty |= UI_DIRTY_PAINT;
        return;
    }
    ui_mbox_sort(mb, ui->threads, ui->newest_first);
    ops_initial_cursor(mb);
    /* screens above the index show the old folder */
    ui_screen_pop_to(ui, ui_screen_bottom(ui));
    ui_mbox_free(ui->mbox);
    ui->mbox = mb;
    ui_message_clear(ui);
    ui->dirty |= UI_DIRTY_CONTENT;
}

void
ui_ops_check_mail(struct ui *ui, bool force)
{
    struct nx_err err = {0};
    struct mail_folder_changes ch = {0};
    struct ui_mbox *mb = ui->mbox;
    if (mb == NULL)
        return;
    if (mail_folder_check(mb->folder, &ch, &err) < 0) {
        if (force)
            ui_error(ui, &err);
        return;
    }
    if (ch.added == 0 && ch.removed == 0 && ch.flags_changed == 0)
        return;
    size_t before = mb->n;
    struct ui_progress pr;
    struct mail_progress mp;
    char label[160];
    snprintf(label, sizeof label, "Reading %s...", mb->name);
    ui_progress_init(&pr, ui, label, &mp);
    if (ui_mbox_reload(mb, &mp, &err) < 0) {
        ui_error(ui, &err);
        return;
    }
    if (mb->n > before)
        ui_message(ui, "New mail in %s.", mb->name);
    ui->dirty |= UI_DIRTY_CONTENT;
}

void
ui_ops_set_flag(struct ui *ui, unsigned flag, int on)
{
    struct nx_err err = {0};
    struct mail_envelope *env = ui_mbox_at(ui->mbox, ui->mbox ? ui->mbox->cur : 0);
    if (env == NULL) {
        ui_message(ui, "No message.");
        return;
    }
    unsigned flags = env->flags;
    if (on < 0)
        on = !(flags & flag);
    flags = on ? flags | flag : flags & ~flag;
    if (flag == MAIL_FLAG_SEEN && !on)
        flags &= ~(unsigned)MAIL_FLAG_RECENT;
    if (ui_mbox_set_flags(ui->mbox, ui->mbox->cur, flags, &err) < 0)
        ui_error(ui, &err);
    ui->dirty |= UI_DIRTY_CONTENT;
}

void
ui_ops_mark_seen(struct ui *ui)
{
    struct nx_err err = {0};
    struct mail_envelope *env = ui_mbox_at(ui->mbox, ui->mbox ? ui->mbox->cur : 0);
    if (env == NULL || (env->flags & MAIL_FLAG_SEEN))
        return;
    unsigned flags = (env->flags | MAIL_FLAG_SEEN) & ~(unsigned)MAIL_FLAG_RECENT;
    if (ui_mbox_set_flags(ui->mbox, ui->mbox->cur, flags, &err) < 0)
        ui_error(ui, &err);
    ui->dirty |= UI_DIRTY_CONTENT;
}

/* Move the current message to `dest`; NX_ERR_NOTFOUND when dest is missing. */
static int
ops_save_to(struct ui *ui, const char *dest, struct nx_err *err)
{
    if (ui_mbox_move(ui->mbox, ui->mbox->cur, dest, err) < 0)
        return -1;
    ui_message(ui, "Saved to %s.", dest);
    ui->dirty |= UI_DIRTY_CONTENT;
    return 0;
}

/* After "Create FOLDER?": arg is the folder name (owned here). */
static void
ops_create_done(struct ui *ui, void *arg, int answer)
{
    struct nx_err err = {0};
    char *dest = arg;
    if (answer == 1 && ui->mbox != NULL && ui->store != NULL) {
        if (mail_store_create_folder(ui->store, dest, &err) < 0 || ops_save_to(ui, dest, &err) < 0)
            ui_error(ui, &err);
    } else if (answer == 0) {
        ui_message(ui, "Not saved: %s does not exist.", dest);
    }
    free(dest);
}

/* Is `name` one of the store's folders?  (NOTFOUND may also mean the
 * message itself vanished: only a missing folder is offered for creation.) */
static bool
ops_folder_exists(struct ui *ui, const char *name)
{
    struct mail_folder_info *infos;
    size_t n;
    bool found = false;
    if (mail_store_list_folders(ui->store, &infos, &n, NULL) < 0)
        return true; /* cannot tell: do not offer to create */
    for (size_t i = 0; i < n && !found; i++)
        found = strcmp(infos[i].name, name) == 0;
    mail_folder_infos_free(infos, n);
    return found;
}

static void
ops_save_done(struct ui *ui, void *arg, const char *text)
{
    struct nx_err err = {0};
    (void)arg;
    if (text == NULL || *text == '\0' || ui->mbox == NULL)
        return;
    if (strcmp(text, ui->mbox->name) == 0) {
        ui_message(ui, "The message is already in %s.", text);
        return;
    }
    if (ops_save_to(ui, text, &err) == 0)
        return;
    if (err.code == NX_ERR_NOTFOUND && ui->store != NULL &&
        !ops_folder_exists(ui, text)) { /* as mutt: offer to create it */
        char q[300];
        snprintf(q, sizeof q, "Create folder %s?", text);
        ui_prompt_yesno(ui, q, 1, ops_create_done, xstrdup(text));
        return;
    }
    ui_error(ui, &err);
}

void
ui_ops_save(struct ui *ui)
{
    if (ui_mbox_at(ui->mbox, ui->mbox ? ui->mbox->cur : 0) == NULL) {
        ui_message(ui, "No message to save.");
        return;
    }
    ui_prompt_line(ui, "Save to folder: ", NULL, ops_save_done, NULL);
}

static void
ops_change_done(struct ui *ui, void *arg, const char *text)
{
    (void)arg;
    if (text != NULL && *text != '\0')
        ui_ops_open_folder(ui, text);
}

void
ui_ops_change_folder(struct ui *ui)
{
    ui_prompt_line(ui, "Open folder: ", NULL, ops_change_done, NULL);
}

static void
ops_sync_done(struct ui *ui, void *arg, int answer)
{
    bool then_quit = arg != NULL;
    struct nx_err err = {0};
    size_t removed = 0;
    if (answer < 0)
        return;
    if (answer == 1 && ui->mbox != NULL) {
        const char *trash = ui->account != NULL ? ui->account->trash : NULL;
        int rc = ui_mbox_expunge(ui->mbox, trash, &removed, &err);
        ui->dirty |= UI_DIRTY_CONTENT;
        if (rc < 0) {
            ui_error(ui, &err); /* stay: the user should see what is left */
            return;
        }
        if (trash != NULL && strcmp(trash, ui->mbox->name) != 0)
            ui_message(ui, "%zu message%s moved to %s.", removed, removed == 1 ? "" : "s", trash);
        else
            ui_message(ui, "%zu message%s purged.", removed, removed == 1 ? "" : "s");
    }
    if (then_quit)
        ui->quit = true;
}

void
ui_ops_sync(struct ui *ui, bool then_quit)
{
    char q[96];
    if (ui->mbox == NULL || ui->mbox->ndeleted == 0) {
        if (then_quit) {
            ui->quit = true;
        } else { /* as mutt's sync: also look at what changed outside */
            ui_message(ui, "No deleted messages to purge.");
            ui_ops_check_mail(ui, true);
        }
        return;
    }
    snprintf(q, sizeof q, "Purge %zu deleted message%s?", ui->mbox->ndeleted,
             ui->mbox->ndeleted == 1 ? "" : "s");
    ui_prompt_yesno(ui, q, 1, ops_sync_done,
                    then_quit ? (void *)ui : NULL); /* non-NULL: then quit */
}

bool
ui_ops_step(struct ui *ui, int dir, bool unread_only)
{
    struct ui_mbox *mb = ui->mbox;
    size_t pos = UI_THREAD_NONE;
    if (mb != NULL && mb->n > 0) {
        if (dir > 0 && mb->cur + 1 < mb->n)
            pos = ui_mbox_find(mb, mb->cur + 1, 1, unread_only);
        else if (dir < 0 && mb->cur > 0)
            pos = ui_mbox_find(mb, mb->cur - 1, -1, unread_only);
    }
    if (pos == UI_THREAD_NONE) {
        if (unread_only)
            ui_message(ui, "No more unread messages.");
        else
            ui_message(ui,
                       dir > 0 ? "You are on the last message." : "You are on the first message.");
        return false;
    }
    mb->cur = pos;
    ui->dirty |= UI_DIRTY_PAINT;
    return true;
}

static bool
ops_env_matches(const struct mail_envelope *env, const char *needle)
{
    const char *fields[] = {env->subject, env->from};
    for (size_t i = 0; i < 2; i++)
        if (fields[i] != NULL && ui_strcasestr(fields[i], strlen(fields[i]), needle) != NULL)
            return true;
    return false;
}

bool
ui_ops_index_search(struct ui *ui, const char *needle, int dir)
{
    struct ui_mbox *mb = ui->mbox;
    if (mb == NULL || mb->n == 0)
        return false;
    /* from the message after the cursor, wrapping around once */
    for (size_t k = 1; k <= mb->n; k++) {
        size_t pos = dir > 0 ? (mb->cur + k) % mb->n : (mb->cur + mb->n - k % mb->n) % mb->n;
        if (ops_env_matches(ui_mbox_at(mb, pos), needle)) {
            if (k == mb->n || (dir > 0) != (pos > mb->cur))
                ui_message(ui, "Search wrapped.");
            mb->cur = pos;
            ui->dirty |= UI_DIRTY_PAINT;
            return true;
        }
    }
    ui_message(ui, "Not found: %s", needle);
    return false;
}
