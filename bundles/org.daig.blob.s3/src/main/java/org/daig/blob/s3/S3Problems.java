package org.daig.blob.s3;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;

import javax.net.ssl.SSLException;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Turns what the SDK throws into one sentence that names the setting to fix. */
final class S3Problems {

    private S3Problems() {
    }

    /** An S3 failure the store cannot get past by itself; the message says which setting and how to fix it. */
    static final class Unavailable extends java.io.IOException {

        private static final long serialVersionUID = 1L;

        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The HTTP status of an S3 refusal, 0 when the server was not reached. */
    static int status(SdkException e) {
        return e instanceof S3Exception s3 ? s3.statusCode() : 0;
    }

    static String code(SdkException e) {
        return e instanceof S3Exception s3 && s3.awsErrorDetails() != null && s3.awsErrorDetails().errorCode() != null
                ? s3.awsErrorDetails().errorCode() : "";
    }

    /** What went wrong while {@code doing}, and which setting of {@link S3StoreConfig#PID} to look at. */
    static String explain(SdkException e, S3Settings settings, String doing) {
        String pid = S3StoreConfig.PID;
        String bucket = "bucket '" + settings.bucket() + "'";
        int status = status(e);
        String code = code(e);
        if (status == 403 || code.equals("InvalidAccessKeyId") || code.equals("SignatureDoesNotMatch") || code.equals("AccessDenied")) {
            return settings.where() + " refused access to " + bucket + " while " + doing + " (HTTP " + status + (code.isEmpty() ? "" : " " + code)
                    + "): check accessKeyId and secretKey/secretKeyFile in " + pid + ", and that this key may read, write and list the bucket";
        }
        if (status == 404 && (code.isEmpty() || code.equals("NoSuchBucket"))) {
            return bucket + " does not exist at " + settings.where() + ": create it (e.g. aws s3 mb s3://" + settings.bucket() + ") or fix bucket in "
                    + pid;
        }
        if (status == 301 || code.equals("PermanentRedirect") || code.equals("AuthorizationHeaderMalformed")) {
            String region = e instanceof S3Exception s3 ? s3.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-bucket-region")
                    .orElse("another region") : "another region";
            return bucket + " is in " + region + ", not in region '" + settings.region() + "': set region in " + pid
                    + (settings.endpoint() == null ? "" : " (or check endpoint)");
        }
        if (status != 0) {
            return settings.where() + " answered HTTP " + status + (code.isEmpty() ? "" : " " + code) + " while " + doing + ": "
                    + e.getMessage();
        }
        Throwable cause = rootCause(e);
        if (cause instanceof UnknownHostException) {
            return "the host of " + settings.where() + " is unknown (" + cause.getMessage() + ") while " + doing + ": fix endpoint in " + pid;
        }
        if (cause instanceof ConnectException || cause instanceof SocketTimeoutException || cause instanceof HttpTimeoutException) {
            return "cannot reach " + settings.where() + " while " + doing + " (" + cause + "): check endpoint in " + pid
                    + " and that the S3 server runs";
        }
        if (cause instanceof SSLException) {
            return "the TLS handshake with " + settings.where() + " failed while " + doing + " (" + cause.getMessage()
                    + "): check endpoint in " + pid + " (http or https) and that the JVM trusts the server's certificate";
        }
        if (e.getMessage() != null && e.getMessage().contains("credentials")) {
            return "no S3 credentials while " + doing + " (" + e.getMessage() + "): set accessKeyId and secretKeyFile in " + pid;
        }
        return "S3 at " + settings.where() + " failed while " + doing + ": " + e.getMessage() + (cause == e ? "" : " (" + cause + ")");
    }

    private static Throwable rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
