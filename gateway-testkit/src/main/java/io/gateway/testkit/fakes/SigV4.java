package io.gateway.testkit.fakes;

import io.gateway.spi.Headers;
import io.gateway.testkit.http.RecordedRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A server-side check of AWS Signature Version 4 ({@code Authorization: AWS4-HMAC-SHA256 ...}), written
 * from AWS's published algorithm with the JDK's HMAC-SHA256 and SHA-256 only: the signature is computed
 * again from the request as received (method, raw path encoded once more, canonical query, the signed
 * headers' values, the body's hash) and the secret key of the access key id the request names, and
 * compared in constant time. Because it shares no code with the AWS SDK's signer, a client that signs
 * the wrong service, region, path, headers or body is caught, not confirmed by the same code.
 *
 * <p>Also checked, as AWS checks them: the algorithm, a credential scope of the form
 * {@code KEY/DATE/REGION/SERVICE/aws4_request} whose date is the {@code X-Amz-Date}'s, the expected
 * service and an allowed region, {@code host} and {@code x-amz-date} among the signed headers, a
 * request time within 15 minutes of the verifier's clock, {@code x-amz-content-sha256} (when sent)
 * equal to the body's hash, and for temporary credentials the session token in
 * {@code X-Amz-Security-Token}, signed. Immutable and thread-safe.
 */
public final class SigV4 {

    /** How far a request's time may be from the server's, as AWS allows. */
    public static final Duration MAX_SKEW = Duration.ofMinutes(15);

    private static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    /**
     * Credentials the verifier knows.
     *
     * @param accessKeyId     the access key id
     * @param secretAccessKey the secret access key
     * @param sessionToken    the session token temporary credentials must send, or {@code null}
     */
    public record Credentials(String accessKeyId, String secretAccessKey, String sessionToken) {
        /** Checks the fields. */
        public Credentials {
            Objects.requireNonNull(accessKeyId, "accessKeyId");
            Objects.requireNonNull(secretAccessKey, "secretAccessKey");
        }

        @Override
        public String toString() {
            return "Credentials[" + accessKeyId + (sessionToken == null ? "" : ", temporary") + "]";
        }
    }

    /**
     * Why a request was refused: AWS's exception name (for {@code x-amzn-ErrorType}), the status it
     * answers with, and its message.
     *
     * @param status    the HTTP status (403 for every signature failure, as AWS answers)
     * @param exception e.g. {@code InvalidSignatureException}
     * @param message   AWS's message
     */
    public record Failure(int status, String exception, String message) {
    }

    /**
     * A verified request.
     *
     * @param accessKeyId the access key id that signed it
     * @param region      the region of its credential scope
     * @param signedAt    its {@code X-Amz-Date}
     */
    public record Signed(String accessKeyId, String region, Instant signedAt) {
    }

    private final String service;
    private final Function<String, Credentials> credentials;

    /**
     * A verifier.
     *
     * @param service     the signing name the requests must use, e.g. {@code bedrock}
     * @param credentials the credentials of an access key id, or {@code null} for an unknown one
     */
    public SigV4(String service, Function<String, Credentials> credentials) {
        this.service = Objects.requireNonNull(service, "service");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
    }

    /**
     * Verifies a request.
     *
     * @param request the request as received
     * @param regions the regions the endpoint serves
     * @param now     the server's time
     * @return the verified signature
     * @throws Refused with the {@link Failure} AWS would answer
     */
    public Signed verify(RecordedRequest request, Set<String> regions, Instant now) {
        String authorization = request.header("authorization");
        if (authorization == null || authorization.isBlank()) {
            throw refused("MissingAuthenticationTokenException", "Missing Authentication Token");
        }
        if (!authorization.startsWith(ALGORITHM + " ")) {
            throw refused("IncompleteSignatureException", "Authorization header requires '" + ALGORITHM
                    + "' as its algorithm");
        }
        Map<String, String> parts = new TreeMap<>();
        for (String part : authorization.substring(ALGORITHM.length() + 1).split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                parts.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
            }
        }
        String credential = parts.get("Credential");
        String signedHeaders = parts.get("SignedHeaders");
        String signature = parts.get("Signature");
        if (credential == null || signedHeaders == null || signature == null) {
            throw refused("IncompleteSignatureException", "Authorization header requires 'Credential', "
                    + "'SignedHeaders' and 'Signature' parameters");
        }
        String[] scope = credential.split("/");
        if (scope.length != 5 || !scope[4].equals("aws4_request")) {
            throw refused("IncompleteSignatureException", "Credential should be scoped to a valid region, not '"
                    + credential + "'");
        }
        String amzDate = request.header("x-amz-date");
        if (amzDate == null) {
            throw refused("IncompleteSignatureException", "Authorization header requires existence of either a "
                    + "'X-Amz-Date' or a 'Date' header");
        }
        Instant signedAt;
        try {
            signedAt = LocalDateTime.parse(amzDate, AMZ_DATE).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw refused("IncompleteSignatureException", "X-Amz-Date '" + amzDate + "' is not of the form "
                    + "YYYYMMDD'T'HHMMSS'Z'");
        }
        if (!scope[1].equals(amzDate.substring(0, 8))) {
            throw refused("InvalidSignatureException", "Date in Credential scope does not match YYYYMMDD from "
                    + "ISO-8601 version of date from HTTP: '" + scope[1] + "' != '" + amzDate.substring(0, 8) + "'");
        }
        if (!scope[3].equals(service)) {
            throw refused("InvalidSignatureException", "Credential should be scoped to correct service: '"
                    + service + "'.");
        }
        if (!regions.contains(scope[2])) {
            throw refused("InvalidSignatureException", "Credential should be scoped to a valid region, not '"
                    + scope[2] + "'.");
        }
        if (Duration.between(signedAt, now).abs().compareTo(MAX_SKEW) > 0) {
            throw refused("InvalidSignatureException", "Signature expired: " + amzDate + " is now earlier than "
                    + AMZ_DATE.format(LocalDateTime.ofInstant(now.minus(MAX_SKEW), ZoneOffset.UTC)) + " ("
                    + AMZ_DATE.format(LocalDateTime.ofInstant(now, ZoneOffset.UTC)) + " - 15 min.)");
        }
        List<String> names = Arrays.asList(signedHeaders.split(";"));
        if (!names.contains("host") || !names.contains("x-amz-date")) {
            throw refused("InvalidSignatureException", "'Host' and 'X-Amz-Date' must be signed headers");
        }
        Credentials known = credentials.apply(scope[0]);
        if (known == null) {
            throw refused("UnrecognizedClientException", "The security token included in the request is invalid.");
        }
        if (known.sessionToken() != null) {
            String token = request.header("x-amz-security-token");
            if (token == null || !constantTimeEquals(token, known.sessionToken())) {
                throw refused("UnrecognizedClientException", "The security token included in the request is "
                        + "invalid.");
            }
            if (!names.contains("x-amz-security-token")) {
                throw refused("InvalidSignatureException", "'X-Amz-Security-Token' must be a signed header");
            }
        }
        String bodyHash = hex(sha256(request.body()));
        String claimedHash = request.header("x-amz-content-sha256");
        if (claimedHash != null && !claimedHash.equals(bodyHash)) {
            throw refused("InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match "
                    + "what was computed.");
        }
        String canonical = canonicalRequest(request, names, bodyHash);
        String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + scope[1] + "/" + scope[2] + "/" + scope[3]
                + "/aws4_request\n" + hex(sha256(canonical.getBytes(StandardCharsets.UTF_8)));
        byte[] key = hmac(("AWS4" + known.secretAccessKey()).getBytes(StandardCharsets.UTF_8), scope[1]);
        key = hmac(key, scope[2]);
        key = hmac(key, scope[3]);
        key = hmac(key, "aws4_request");
        String expected = hex(hmac(key, stringToSign));
        if (!constantTimeEquals(expected, signature)) {
            throw refused("InvalidSignatureException", "The request signature we calculated does not match the "
                    + "signature you provided. Check your AWS Secret Access Key and signing method. Consult the "
                    + "service documentation for details.");
        }
        return new Signed(scope[0], scope[2], signedAt);
    }

    /**
     * The canonical request of AWS's algorithm for services other than S3: the raw path encoded once
     * more (each byte other than unreserved characters and {@code /}), the query parameters decoded,
     * encoded and sorted, each signed header as {@code name:value} with the value trimmed and inner
     * runs of spaces collapsed, the signed header names, and the body's hash.
     *
     * @param request  the request
     * @param names    the signed header names, lower case, in the order the client gave them
     * @param bodyHash the body's SHA-256, hex
     * @return the canonical request
     */
    static String canonicalRequest(RecordedRequest request, List<String> names, String bodyHash) {
        StringBuilder out = new StringBuilder(256);
        out.append(request.method()).append('\n');
        String path = request.path().isEmpty() ? "/" : request.path();
        out.append(encode(path, true)).append('\n');
        out.append(canonicalQuery(request.query())).append('\n');
        Headers headers = request.headers();
        for (String name : names) {
            List<String> values = headers.all(name);
            List<String> trimmed = new ArrayList<>(values.size());
            for (String value : values) {
                trimmed.add(value.strip().replaceAll(" +", " "));
            }
            out.append(name).append(':').append(String.join(",", trimmed)).append('\n');
        }
        out.append('\n').append(String.join(";", names)).append('\n').append(bodyHash);
        return out.toString();
    }

    private static String canonicalQuery(String query) {
        if (query == null || query.isEmpty()) {
            return "";
        }
        List<String[]> pairs = new ArrayList<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            pairs.add(new String[] {encode(name, false), encode(value, false)});
        }
        pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        List<String> joined = new ArrayList<>(pairs.size());
        for (String[] pair : pairs) {
            joined.add(pair[0] + "=" + pair[1]);
        }
        return String.join("&", joined);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** RFC 3986 encoding: unreserved characters stay, every other byte is {@code %XX}. */
    static String encode(String text, boolean keepSlash) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
                    || c == '.' || c == '~' || keepSlash && c == '/') {
                out.append((char) c);
            } else {
                out.append('%').append(HexFormat.of().withUpperCase().toHexDigits((byte) c));
            }
        }
        return out.toString();
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA256", e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static Refused refused(String exception, String message) {
        return new Refused(new Failure(403, exception, message));
    }

    @Override
    public String toString() {
        return "SigV4[" + service + "]";
    }

    /** A request the verifier refused, with what AWS would answer. */
    public static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final transient Failure failure;

        Refused(Failure failure) {
            super(failure.exception() + ": " + failure.message(), null, false, false);
            this.failure = failure;
        }

        /**
         * What AWS would answer.
         *
         * @return the failure
         */
        public Failure failure() {
            return failure;
        }
    }
}
