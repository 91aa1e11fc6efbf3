package io.gateway.server.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the request log stores of a body: no credential, and no more than the limit. */
class RedactorTest {

    private final Redactor redactor = new Redactor(Set.of("configured-provider-key-value", "sk-bf-team", "short"));

    private String stored(String body) {
        return redactor.body(body.getBytes(StandardCharsets.UTF_8), 64 * 1024).text();
    }

    @Test
    void membersNamedLikeCredentialsAreMasked() {
        String body = stored("""
                {"api_key":"abc","openai_api_key":"def","Authorization":"Basic xyz","client_secret":"s3",
                "password": "p w","x-api-key":"k","access_token":"t","credentials":"c","max_tokens":5,
                "token":"Hello","prompt_cache_key":"cache-1","messages":[{"role":"user","content":"api_key"}]}""");
        for (String gone : new String[] {"abc", "def", "Basic xyz", "s3", "p w", "\"k\"", "\"t\"", "\"c\""}) {
            assertFalse(body.contains(gone), gone + " in " + body);
        }
        assertTrue(body.contains("\"api_key\":\"****\""), body);
        assertTrue(body.contains("\"password\": \"****\""), body);
        assertTrue(body.contains("\"max_tokens\":5"), "numbers named like tokens stay: " + body);
        assertTrue(body.contains("\"token\":\"Hello\""), "log probabilities use token: " + body);
        assertTrue(body.contains("\"prompt_cache_key\":\"cache-1\""), body);
        assertTrue(body.contains("\"content\":\"api_key\""), "a value that merely says api_key stays: " + body);
    }

    @Test
    void valuesShapedLikeKeysAreMaskedWherever() {
        String body = stored("{\"content\":\"my key is sk-proj-AbCdEf0123456789xyz and AIzaSyA1234567890abcdefghijklmnopqrstu"
                + " and AKIAABCDEFGHIJKLMNOP and ghp_abcdefghijklmnopqrstuvwxyz0123456789 and "
                + "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U\"}");
        assertFalse(body.contains("AbCdEf0123456789xyz"), body);
        assertFalse(body.contains("AIzaSy"), body);
        assertFalse(body.contains("AKIAABCDEFGHIJKLMNOP"), body);
        assertFalse(body.contains("ghp_"), body);
        assertFalse(body.contains("eyJ"), body);
        assertTrue(body.startsWith("{\"content\":\"my key is ****"), body);
    }

    @Test
    void theConfigurationsSecretsAreMaskedEvenWhereNothingElseWouldCatchThem() {
        String body = stored("{\"note\":\"configured-provider-key-value and sk-bf-team, short stays\"}");
        assertEquals("{\"note\":\"**** and ****, short stays\"}", body);
        assertEquals("failed with **** at ****", redactor.text("failed with configured-provider-key-value at sk-bf-team"));
    }

    @Test
    void bodiesAreCutAtTheLimitOnACharacterBoundaryAndSaySo() {
        String body = "{\"content\":\"" + "é".repeat(100) + "\"}";
        Redactor.Body cut = redactor.body(body.getBytes(StandardCharsets.UTF_8), 20);
        assertTrue(cut.truncated());
        assertTrue(cut.text().getBytes(StandardCharsets.UTF_8).length <= 20);
        assertEquals("{\"content\":\"éééé", cut.text());
        Redactor.Body whole = redactor.body("{}".getBytes(StandardCharsets.UTF_8), 20);
        assertFalse(whole.truncated());
        assertEquals("{}", whole.text());
        assertEquals(0, Redactor.utf8Prefix("😀", 3), "a pair is never split");
        assertEquals(2, Redactor.utf8Prefix("😀", 4));
    }

    @Test
    void aCredentialAcrossTheCutIsMaskedBeforeTheCut() {
        // the key starts before the limit (60 bytes) and ends after it
        String body = "{\"content\":\"" + "x".repeat(40) + " sk-abcdefghijklmnopqrstuvwxyz. " + "y".repeat(20) + "\"}";
        Redactor.Body cut = redactor.body(body.getBytes(StandardCharsets.UTF_8), 60);
        assertTrue(cut.truncated());
        assertFalse(cut.text().contains("sk-"), cut.text());
        assertEquals("{\"content\":\"" + "x".repeat(40) + " ****. y", cut.text());
    }

    @Test
    void aBodyFarLargerThanTheLimitIsDecodedOnlyAroundTheLimit() {
        byte[] huge = ("{\"content\":\"" + "a".repeat(5_000_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        Redactor.Body cut = redactor.body(huge, 100);
        assertEquals(100, cut.text().length());
        assertTrue(cut.truncated());
        assertEquals(null, redactor.text(null));
    }
}
