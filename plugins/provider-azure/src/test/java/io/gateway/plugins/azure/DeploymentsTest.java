package io.gateway.plugins.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.Operation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import io.gateway.testkit.fakes.FakeAzure;

/** Model → deployment per key, and the reverse map the gateway's Azure-style routes use. */
class DeploymentsTest {

    private static final String CHAT = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

    private static Harness twoKeys(String version) {
        return Harness.start(Map.of("api-version", version), List.of(
                Harness.key("us", FakeAzure.API_KEY, Map.of("gpt-4o", "chat-prod", "gpt-4.1", "gpt41-prod")),
                Harness.key("eu", FakeAzure.SECOND_KEY, Map.of("gpt-4o", "chat-eu")),
                Harness.key("plain", FakeAzure.API_KEY, null)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-10-21", "v1"})
    void eachKeyUsesItsOwnDeployments(String version) {
        boolean v1 = version.equals("v1");
        try (Harness azure = twoKeys(version)) {
            azure.complete(azure.call(Operation.CHAT_COMPLETION, "gpt-4o", CHAT, "us"));
            assertEquals(v1 ? "chat-prod" : "/openai/deployments/chat-prod/chat/completions",
                    v1 ? azure.last().json().getString("model") : azure.last().path());
            azure.complete(azure.call(Operation.CHAT_COMPLETION, "gpt-4o", CHAT, "eu"));
            assertEquals(v1 ? "chat-eu" : "/openai/deployments/chat-eu/chat/completions",
                    v1 ? azure.last().json().getString("model") : azure.last().path());
            assertEquals(FakeAzure.SECOND_KEY, azure.last().headers().first("api-key").orElseThrow());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-10-21", "v1"})
    void aModelWithoutMappingUsesItsOwnName(String version) {
        try (Harness azure = twoKeys(version)) {
            azure.complete(azure.call(Operation.CHAT_COMPLETION, "gpt-4o", CHAT, "plain"));
            if (version.equals("v1")) {
                assertEquals("gpt-4o", azure.last().json().getString("model"));
            } else {
                assertEquals("/openai/deployments/gpt-4o/chat/completions", azure.last().path());
            }
        }
    }

    @Test
    void theProviderAnswersWhichDeploymentAKeyUses() {
        try (Harness azure = twoKeys("2024-10-21")) {
            AzureProvider provider = (AzureProvider) azure.provider;
            assertEquals("chat-prod", provider.deploymentFor(azure.key("us"), "gpt-4o"));
            assertEquals("chat-eu", provider.deploymentFor(azure.key("eu"), "gpt-4o"));
            assertEquals("gpt-4.1", provider.deploymentFor(azure.key("eu"), "gpt-4.1"));
            assertEquals("gpt-4o", provider.deploymentFor(Keys.keyless(), "gpt-4o"));
            assertEquals("m7", provider.deploymentFor(Keys.of("outside", "k", Map.of("deployments",
                    Map.of("m7", "d7"))), "m7"), "a key the factory never saw maps nothing: the model is the deployment");
        }
    }

    @Test
    void deploymentsMapBackToModels() {
        try (Harness azure = twoKeys("2024-10-21")) {
            assertEquals("gpt-4o", azure.provider.modelAliases().getOrDefault("chat-prod", "chat-prod"));
            assertEquals("gpt-4o", azure.provider.modelAliases().getOrDefault("chat-eu", "chat-eu"), "the union of all keys' maps");
            assertEquals("gpt-4.1", azure.provider.modelAliases().getOrDefault("gpt41-prod", "gpt41-prod"));
            assertEquals("some-deployment", azure.provider.modelAliases().getOrDefault("some-deployment", "some-deployment"),
                    "an unknown deployment stands for itself");
            assertTrue(azure.context.logger().warnings().isEmpty(), azure.context.logger().warnings().toString());
        }
    }

    @Test
    void aDeploymentClaimedByTwoModelsKeepsTheFirstAndWarns() {
        try (Harness azure = Harness.start(Map.of(), List.of(
                Harness.key("a", FakeAzure.API_KEY, Map.of("gpt-4o", "shared")),
                Harness.key("b", FakeAzure.SECOND_KEY, Map.of("gpt-4o-mini", "shared"))))) {
            assertEquals("gpt-4o", azure.provider.modelAliases().getOrDefault("shared", "shared"));
            assertEquals(1, azure.context.logger().warnings().size());
            assertTrue(azure.context.logger().warnings().get(0).contains("keys[1].deployments"));
        }
    }

    @Test
    void dottedModelNamesSplitByTheConfigLoaderAreJoinedAgain() {
        // The server's YAML loader turns "gpt-4.1: gpt41-prod" into {gpt-4: {1: gpt41-prod}}.
        Map<String, Object> deployments = Map.of(
                "gpt-4", Map.of("1", "gpt41-prod", "1-mini", "chat-prod"),
                "gpt-4o", "chat-eu");
        try (Harness azure = Harness.start(Map.of(), List.of(Harness.key("main", FakeAzure.API_KEY, deployments)))) {
            azure.complete(azure.call(Operation.CHAT_COMPLETION, "gpt-4.1",
                    "{\"model\":\"gpt-4.1\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", "main"));
            assertEquals("/openai/deployments/gpt41-prod/chat/completions", azure.last().path());
            AzureProvider provider = (AzureProvider) azure.provider;
            assertEquals("chat-prod", provider.deploymentFor(azure.key("main"), "gpt-4.1-mini"));
            assertEquals("chat-eu", provider.deploymentFor(azure.key("main"), "gpt-4o"));
            assertEquals("gpt-4.1", azure.provider.modelAliases().getOrDefault("gpt41-prod", "gpt41-prod"));
            assertEquals("gpt-4.1-mini", azure.provider.modelAliases().getOrDefault("chat-prod", "chat-prod"));
        }
    }

    @Test
    void theListFormMapsNamesThatAreDottedPrefixesOfEachOther() {
        List<Map<String, String>> deployments = List.of(
                Map.of("model", "gpt-5", "deployment", "chat-prod"),
                Map.of("model", "gpt-5.1", "deployment", "gpt41-prod"));
        try (Harness azure = Harness.start(Map.of(), List.of(Harness.key("main", FakeAzure.API_KEY, deployments)))) {
            AzureProvider provider = (AzureProvider) azure.provider;
            assertEquals("chat-prod", provider.deploymentFor(azure.key("main"), "gpt-5"));
            assertEquals("gpt41-prod", provider.deploymentFor(azure.key("main"), "gpt-5.1"));
            assertEquals("gpt-5.1", azure.provider.modelAliases().getOrDefault("gpt41-prod", "gpt41-prod"));
            azure.complete(azure.call(Operation.CHAT_COMPLETION, "gpt-5",
                    "{\"model\":\"gpt-5\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", "main"));
            assertEquals("/openai/deployments/chat-prod/chat/completions", azure.last().path());
        }
    }

    @Test
    void keysWithoutNamesAreNamedLikeTheServerNamesThem() {
        Map<String, Object> unnamed = Map.of("value", FakeAzure.API_KEY, "deployments", Map.of("gpt-4o", "chat-eu"));
        try (Harness azure = Harness.start(Map.of(), List.of(unnamed))) {
            AzureProvider provider = (AzureProvider) azure.provider;
            assertEquals("chat-eu", provider.deploymentFor(azure.key("key-0"), "gpt-4o"));
        }
    }

    private static IllegalArgumentException invalid(Object deployments) {
        Map<String, Object> key = Harness.key("main", "k", deployments);
        return assertThrows(IllegalArgumentException.class, () -> Harness.provider(Map.of(
                "base-url", "https://res.openai.azure.com", "keys", List.of(key)), Harness.capturing()));
    }

    @Test
    void malformedDeploymentsNameTheKeyAtFault() {
        assertEquals("gateway.providers.azure.keys[0].deployments: expected a block of model: deployment pairs "
                + "(e.g. gpt-4o: my-gpt4o), or a list of blocks with 'model' and 'deployment'",
                invalid("gpt-4o").getMessage());
        assertTrue(invalid(Map.of("gpt-4o", "")).getMessage()
                .startsWith("gateway.providers.azure.keys[0].deployments.gpt-4o: is empty"));
        assertTrue(invalid(Map.of("gpt-4o", "team/prod")).getMessage()
                .startsWith("gateway.providers.azure.keys[0].deployments.gpt-4o: 'team/prod' is not a deployment name"));
        assertTrue(invalid(Map.of("gpt-4o", List.of("a"))).getMessage()
                .startsWith("gateway.providers.azure.keys[0].deployments.gpt-4o: expected a deployment name"));
        assertTrue(invalid(List.of(Map.of("model", "gpt-4o"))).getMessage()
                .startsWith("gateway.providers.azure.keys[0].deployments[0].deployment: is required"));
        assertTrue(invalid(List.of(Map.of("deployment", "d"))).getMessage()
                .startsWith("gateway.providers.azure.keys[0].deployments[0].model: is required"));
        assertTrue(invalid(List.of(Map.of("model", "m", "deployment", "a"), Map.of("model", "m", "deployment", "b")))
                .getMessage().contains("'m' is mapped twice"));
    }

    @Test
    void validNames() {
        for (String name : List.of("chat-prod", "gpt-4.1", "my_dep", "a")) {
            assertTrue(Deployments.validName(name), name);
        }
        for (String name : List.of("", ".", "..", "a/b", "a b", "a?b", "a#b", "a%2Fb", "a\\b", "tab\t")) {
            assertTrue(!Deployments.validName(name), name);
        }
    }
}
