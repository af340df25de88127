-- Where each staff session was started, so a member of staff can see where they are
-- signed in and end a session they do not recognise: the client's address and the
-- browser's own description of itself (User-Agent, at most 200 characters).
ALTER TABLE staff_session ADD COLUMN address TEXT;
ALTER TABLE staff_session ADD COLUMN user_agent TEXT;
