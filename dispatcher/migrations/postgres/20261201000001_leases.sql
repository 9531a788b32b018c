-- Leases: work that one process at a time must do, when several serve one
-- database (SMS delivery, which must keep each phone's texts in order and never
-- send one twice). The holder renews its lease before it expires; a lease past
-- `until_at` may be taken by anyone.
CREATE TABLE leases (
    name     TEXT   PRIMARY KEY NOT NULL,
    holder   TEXT   NOT NULL,
    until_at BIGINT NOT NULL
);
