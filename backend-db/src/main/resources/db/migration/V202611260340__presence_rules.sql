-- Presence authorization rules (RFC 3856 §5.1): what a presentity lets one watcher see.
-- presentity is the canonical AOR of one of our users (users.sip_uri); watcher is the
-- canonical AOR of the subscriber (any domain). A watcher without a row gets the default
-- (same domain: allow, other domains: pending; see docs/presence.md).
--   allow   - the watcher sees the presence document
--   block   - polite block: the subscription is accepted but the watcher sees the user offline
--   pending - the presentity has not decided; the subscription waits (watcher info shows it)
create table presence_rules (
  presentity varchar(400) not null,
  watcher varchar(400) not null,
  action varchar(16) not null,
  updated_at timestamp with time zone default current_timestamp not null,
  constraint presence_rules_pk primary key (presentity, watcher),
  constraint presence_rules_presentity_fk foreign key (presentity) references users (sip_uri)
    on delete cascade,
  constraint presence_rules_action_ck check (action in ('allow', 'block', 'pending')),
  constraint presence_rules_watcher_lower_ck check (watcher = lower(watcher))
);
