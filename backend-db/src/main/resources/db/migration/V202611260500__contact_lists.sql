-- Server-stored contact lists (the roaming contact list, issue #5 point 4), edited over XCAP as
-- RFC 4826 resource-lists documents. One document per user: a row in contact_lists means the
-- document exists (an empty list is a document too); its groups are the top-level <list>
-- elements and their entries the <entry> elements, in document order (position).
create table contact_lists (
  owner varchar(400) not null,
  updated_at timestamp with time zone default current_timestamp not null,
  constraint contact_lists_pk primary key (owner),
  constraint contact_lists_owner_fk foreign key (owner) references users (sip_uri)
    on delete cascade
);

-- A group (<list name="..">) of one owner's contact list.
create table contact_groups (
  id bigserial not null,
  owner varchar(400) not null,
  name varchar(256) not null,
  display_name varchar(256),
  position integer not null,
  constraint contact_groups_pk primary key (id),
  constraint contact_groups_owner_fk foreign key (owner) references contact_lists (owner)
    on delete cascade,
  constraint contact_groups_owner_name_uk unique (owner, name)
);

-- A contact (<entry uri="..">) in a group; a URI appears at most once per group (the group
-- belongs to one owner, so this is unique per owner, group and URI). The owner is repeated for
-- reading a whole list in one query.
create table contact_entries (
  group_id bigint not null,
  owner varchar(400) not null,
  uri varchar(400) not null,
  display_name varchar(256),
  position integer not null,
  constraint contact_entries_pk primary key (group_id, uri),
  constraint contact_entries_group_fk foreign key (group_id) references contact_groups (id)
    on delete cascade,
  constraint contact_entries_owner_fk foreign key (owner) references contact_lists (owner)
    on delete cascade
);
