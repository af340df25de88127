-- Several councils on one server: a staff email and an account reference are unique
-- within their council, not across the server, so one council never learns from a
-- refusal what another council holds.
ALTER TABLE staff DROP CONSTRAINT staff_email_key;
ALTER TABLE staff ADD CONSTRAINT staff_council_email UNIQUE (council_id, email);
CREATE INDEX staff_email ON staff (email);
ALTER TABLE account DROP CONSTRAINT account_reference_key;
ALTER TABLE account ADD CONSTRAINT account_council_reference UNIQUE (council_id, reference);
