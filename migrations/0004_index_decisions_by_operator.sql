-- Indexes the decision log by operator, for "what did this operator try to create" (GET /api/decisions?operator=…).
CREATE INDEX decisions_operator_account ON decisions (operator_account, id);
