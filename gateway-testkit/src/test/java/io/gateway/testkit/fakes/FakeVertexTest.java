package io.gateway.testkit.fakes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The fake must refuse what Google refuses — a JWT not signed by the service account's key, a stale one,
 * a call without a token it issued, a body Vertex AI or the model rejects — or the provider's tests against
 * it would prove nothing.
 */
class FakeVertexTest {

    private static final FakeVertex VERTEX = FakeVertex.start();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String HELLO = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}";

    @AfterAll
    static void stop() {
        VERTEX.close();
    }

    /** A JWT as Google's auth library writes it, signed with {@code key}. */
    private static String jwt(String email, PrivateKey key, String keyId, long iat, long exp, String audience)
            throws Exception {
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String header = url.encodeToString(("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + keyId + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        String claims = url.encodeToString(("{\"iss\":\"" + email + "\",\"scope\":\"" + FakeVertex.SCOPE
                + "\",\"aud\":\"" + audience + "\",\"iat\":" + iat + ",\"exp\":" + exp + "}")
                .getBytes(StandardCharsets.UTF_8));
        Signature signature = Signature.getInstance("SHA256withRSA");
        signature.initSign(key);
        signature.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
        return header + "." + claims + "." + url.encodeToString(signature.sign());
    }

    private static PrivateKey privateKey(FakeVertex.ServiceAccount account) throws Exception {
        String pem = JsonBodies.parse(account.json()).getString("private_key")
                .replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "")
                .replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
    }

    private static HttpResponse<String> exchange(String assertion) throws Exception {
        String form = "grant_type=" + URLEncoder.encode("urn:ietf:params:oauth:grant-type:jwt-bearer",
                StandardCharsets.UTF_8) + "&assertion=" + URLEncoder.encode(assertion, StandardCharsets.UTF_8);
        return HTTP.send(HttpRequest.newBuilder(URI.create(VERTEX.tokenUri()))
                .header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String token() throws Exception {
        FakeVertex.ServiceAccount account = VERTEX.defaultServiceAccount();
        long now = Instant.now().getEpochSecond();
        HttpResponse<String> response = exchange(jwt(account.email(), privateKey(account), account.keyId(), now,
                now + 3600, VERTEX.tokenUri()));
        assertEquals(200, response.statusCode(), response.body());
        JsonObject token = JsonBodies.parse(response.body());
        assertEquals("Bearer", token.getString("token_type"));
        assertEquals(3599, token.getInt("expires_in"));
        return token.getString("access_token");
    }

    private static HttpResponse<String> call(String path, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(VERTEX.baseUrl() + path))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String google(String model, String method) {
        return "/v1/projects/" + FakeVertex.PROJECT + "/locations/us-central1/publishers/google/models/" + model + ":"
                + method;
    }

    private static String claude(String method) {
        return "/v1/projects/" + FakeVertex.PROJECT + "/locations/us-east5/publishers/anthropic/models/"
                + "claude-sonnet-4-5@20250929:" + method;
    }

    @Test
    void aTokenFromASignedAssertionAuthorizesCalls() throws Exception {
        String token = token();
        HttpResponse<String> response = call(google("gemini-2.5-flash", "generateContent"), HELLO, token);
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("Hello! You said: hi"), response.body());
    }

    @Test
    void anAssertionSignedWithAnotherKeyIsRefused() throws Exception {
        FakeVertex.ServiceAccount account = VERTEX.defaultServiceAccount();
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        long now = Instant.now().getEpochSecond();
        HttpResponse<String> forged = exchange(jwt(account.email(), generator.generateKeyPair().getPrivate(),
                account.keyId(), now, now + 3600, VERTEX.tokenUri()));
        assertEquals(400, forged.statusCode());
        assertEquals("invalid_grant", JsonBodies.parse(forged.body()).getString("error"));
        assertTrue(forged.body().contains("Invalid JWT Signature"), forged.body());
    }

    @Test
    void staleLongLivedOrMisaddressedAssertionsAreRefused() throws Exception {
        FakeVertex.ServiceAccount account = VERTEX.defaultServiceAccount();
        PrivateKey key = privateKey(account);
        long now = Instant.now().getEpochSecond();
        assertEquals(400, exchange(jwt(account.email(), key, account.keyId(), now - 7200, now - 3600,
                VERTEX.tokenUri())).statusCode(), "expired");
        assertEquals(400, exchange(jwt(account.email(), key, account.keyId(), now, now + 7200,
                VERTEX.tokenUri())).statusCode(), "longer than an hour");
        assertEquals(400, exchange(jwt(account.email(), key, account.keyId(), now, now + 3600,
                "https://example.com/token")).statusCode(), "another audience");
        assertEquals(400, exchange(jwt("someone@else.iam.gserviceaccount.com", key, account.keyId(), now,
                now + 3600, VERTEX.tokenUri())).statusCode(), "an unknown account");
        assertEquals(400, exchange("not.a.jwt").statusCode());
    }

    @Test
    void callsNeedAnIssuedTokenAndTheFakesProject() throws Exception {
        HttpResponse<String> missing = call(google("gemini-2.5-flash", "generateContent"), HELLO, null);
        assertEquals(401, missing.statusCode());
        assertTrue(missing.body().contains("UNAUTHENTICATED"));
        assertEquals(401, call(google("gemini-2.5-flash", "generateContent"), HELLO, "ya29.made-up").statusCode());
        String token = token();
        HttpResponse<String> otherProject = call(google("gemini-2.5-flash", "generateContent")
                .replace(FakeVertex.PROJECT, "someone-elses"), HELLO, token);
        assertEquals(403, otherProject.statusCode());
        assertTrue(otherProject.body().contains("PERMISSION_DENIED"));
        assertEquals(404, call(google("gemini-9", "generateContent"), HELLO, token).statusCode());
        assertEquals(400, call(google("gemini-2.5-flash", "generateContent"), "{\"contents\":[],\"x\":1}", token)
                .statusCode(), "Gemini's own checks apply");
    }

    @Test
    void claudeBodiesNeedTheVertexVersionAndNoModel() throws Exception {
        String token = token();
        String ok = "{\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":50,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        HttpResponse<String> answer = call(claude("rawPredict"), ok, token);
        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals("message", JsonBodies.parse(answer.body()).getString("type"));

        HttpResponse<String> withModel = call(claude("rawPredict"), ok.replace("{\"anthropic_version\"",
                "{\"model\":\"claude-sonnet-4-5\",\"anthropic_version\""), token);
        assertEquals(400, withModel.statusCode());
        assertEquals("invalid_request_error", JsonBodies.parse(withModel.body()).getJsonObject("error")
                .getString("type"), "Claude's errors are Anthropic's");
        assertEquals(400, call(claude("rawPredict"), ok.replace("vertex-2023-10-16", "2023-06-01"), token)
                .statusCode());
        assertEquals(400, call(claude("streamRawPredict"), ok, token).statusCode(), "a stream asks for one");
        HttpResponse<String> stream = call(claude("streamRawPredict"), ok.replaceFirst("\\{", "{\"stream\":true,"), token);
        assertEquals(200, stream.statusCode());
        assertTrue(stream.body().contains("event: message_start"), stream.body());
    }

    @Test
    void predictTakesOneInstanceForGeminiEmbeddingsAndMoreForOthers() throws Exception {
        String token = token();
        String two = "{\"instances\":[{\"content\":\"a b\"},{\"content\":\"c\"}],"
                + "\"parameters\":{\"outputDimensionality\":4}}";
        HttpResponse<String> batch = call(google("text-embedding-005", "predict"), two, token);
        assertEquals(200, batch.statusCode(), batch.body());
        JsonObject first = JsonBodies.parse(batch.body()).getJsonArray("predictions").getJsonObject(0)
                .getJsonObject("embeddings");
        assertEquals(4, first.getJsonArray("values").size());
        assertEquals(2, first.getJsonObject("statistics").getInt("token_count"));
        assertEquals(400, call(google("gemini-embedding-001", "predict"), two, token).statusCode());
        assertEquals(400, call(google("text-embedding-005", "predict"), "{\"instances\":[{\"text\":\"a\"}]}", token)
                .statusCode());
        assertFalse(call(google("text-embedding-005", "generateContent"), HELLO, token).statusCode() == 200,
                "an embedding model does not generate");
    }

    @Test
    void revokedTokensAreRefused() throws Exception {
        String token = token();
        assertEquals(200, call(google("gemini-2.5-flash", "generateContent"), HELLO, token).statusCode());
        VERTEX.revokeTokens();
        assertEquals(401, call(google("gemini-2.5-flash", "generateContent"), HELLO, token).statusCode());
    }
}
