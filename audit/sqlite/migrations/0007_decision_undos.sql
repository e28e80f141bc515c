-- A decision taken back (Ctrl+Z in the review queue): the decision stays in
-- the history; the finding returns to its earlier state.
CREATE TABLE decision_undos (
    decision_id INTEGER PRIMARY KEY REFERENCES decisions (id),
    user_name   TEXT NOT NULL,
    at          TEXT NOT NULL
);
