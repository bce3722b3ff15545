package org.daig.accounts;

/** Why an account operation was refused; the message is safe to show to the caller. */
public class AccountException extends Exception {

    private static final long serialVersionUID = 1L;

    /** The kinds of refusal, each with the HTTP status the account endpoints answer. */
    public enum Reason {
        /** A field is missing or malformed (a name, a password, a role). */
        INVALID(422),
        /** Wrong user or password, a bad enrolment code: one message, whatever the cause. */
        UNAUTHORIZED(401),
        /** Authenticated, but not allowed (sign-up closed, not a volunteer). */
        FORBIDDEN(403),
        /** The named user does not exist (admin operations only). */
        NOT_FOUND(404),
        /** The user or device already exists, or belongs to another account. */
        CONFLICT(409),
        /** Too many failures or sign-ups; see {@link AccountException#retryAfterSeconds()}. */
        RATE_LIMITED(429);

        private final int status;

        Reason(int status) {
            this.status = status;
        }

        public int httpStatus() {
            return status;
        }
    }

    private final Reason reason;
    private final long retryAfterSeconds;

    public AccountException(Reason reason, String message) {
        this(reason, message, 0);
    }

    public AccountException(Reason reason, String message, long retryAfterSeconds) {
        super(message);
        this.reason = reason;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public Reason reason() {
        return reason;
    }

    /** For {@link Reason#RATE_LIMITED}: seconds until another try may succeed; 0 otherwise. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
