-- Parley schema, version 1: users, their digest credentials, and pool-wide settings.
-- Migrations are the only schema source; jOOQ classes are generated from these files
-- (DDLDatabase), so keep to plain DDL that jOOQ's parser understands.

-- One row per SIP user. username is the local part of the AOR, stored lower-case;
-- sip_uri is the canonical AOR "sip:username@domain".
create table users (
  id bigserial not null,
  username varchar(128) not null,
  domain varchar(255) not null,
  sip_uri varchar(400) not null,
  display_name varchar(256),
  enabled boolean default true not null,
  created_at timestamp with time zone default current_timestamp not null,
  updated_at timestamp with time zone default current_timestamp not null,
  constraint users_pk primary key (id),
  constraint users_sip_uri_uk unique (sip_uri),
  constraint users_username_domain_uk unique (username, domain),
  constraint users_username_lower_ck check (username = lower(username)),
  constraint users_domain_lower_ck check (domain = lower(domain))
);

-- Password-equivalent hashes only, never a clear-text password. One row per (user, realm):
-- HA1 = H(username:realm:password) for RFC 2617/7616 MD5 and RFC 7616/8760 SHA-256, hex lower-case.
-- nt_hash = MD4(UTF-16LE(password)), hex, for NTLM later (nullable).
create table credentials (
  user_id bigint not null,
  realm varchar(255) not null,
  ha1_md5 char(32) not null,
  ha1_sha256 char(64) not null,
  nt_hash char(32),
  updated_at timestamp with time zone default current_timestamp not null,
  constraint credentials_pk primary key (user_id, realm),
  constraint credentials_user_fk foreign key (user_id) references users (id) on delete cascade
);

-- Small pool-wide key/value store, e.g. the digest nonce HMAC key that must survive restarts
-- and be identical on every node.
create table settings (
  key varchar(200) not null,
  value bytea not null,
  updated_at timestamp with time zone default current_timestamp not null,
  constraint settings_pk primary key (key)
);
