-- The exact bytes of every imported file, kept inside the workspace so the
-- evidence survives a lost USB stick; in chunks, written while streaming.
CREATE TABLE source_chunks (
    batch_id INTEGER NOT NULL REFERENCES batches (id),
    seq      INTEGER NOT NULL,
    data     BLOB    NOT NULL,
    PRIMARY KEY (batch_id, seq)
);
