package io.gateway.plugins.vertex;

import io.gateway.spi.Headers;
import io.gateway.spi.PluginConfig;
import io.gateway.spi.PluginContext;
import io.gateway.spi.Secret;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderFactory;
import io.gateway.toolkit.settings.BaseUrl;
import io.gateway.toolkit.settings.ExtraHeaders;
import io.gateway.toolkit.settings.KeySettings;
import io.gateway.toolkit.upstream.UpstreamCalls;
import io.gateway.translation.gemini.GeminiTranslation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Creates {@link VertexProvider}s for {@code type: vertex} entries. Keys read: {@code project},
 * {@code location}, {@code base-url}, {@code api-version}, {@code credentials-file},
 * {@code credentials-json}, {@code anthropic-version}, {@code default-max-tokens}, {@code models},
 * {@code extra-headers}, and in each block of {@code keys} (whose {@code value} is a credentials JSON)
 * {@code project} and {@code location}. docs/providers.md describes them.
 */
final class VertexProviderFactory implements ProviderFactory {

    static final String DEFAULT_LOCATION = "us-central1";
    static final String DEFAULT_API_VERSION = "v1";
    /** The Messages API version Claude on Vertex AI takes in the body. */
    static final String DEFAULT_ANTHROPIC_VERSION = "vertex-2023-10-16";
    static final int DEFAULT_MAX_TOKENS = 4096;

    private static final Pattern LOCATION = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    private static final Pattern PROJECT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.:_-]*");
    private static final Pattern API_VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final String OWN_HEADER = "the plugin sets this header itself";

    @Override
    public String type() {
        return "vertex";
    }

    @Override
    public Provider create(PluginConfig config, PluginContext context) {
        String location = location(config, config.string("location", DEFAULT_LOCATION), "location");
        String project = config.string("project").map(p -> project(config, p, "project")).orElse(null);
        String apiVersion = config.string("api-version", DEFAULT_API_VERSION).strip();
        if (!API_VERSION.matcher(apiVersion).matches()) {
            throw config.invalid("api-version", "'" + apiVersion + "' is not an API version such as v1 or v1beta1");
        }
        BaseUrl endpoint = config.has(BaseUrl.KEY) ? BaseUrl.read(config, null, "the Vertex AI endpoint, e.g. "
                + "https://us-central1-aiplatform.googleapis.com (a Private Service Connect endpoint or a proxy)",
                context) : null;
        String anthropicVersion = config.string("anthropic-version", DEFAULT_ANTHROPIC_VERSION).strip();
        if (anthropicVersion.isEmpty()) {
            throw config.invalid("anthropic-version", "must not be empty; Claude on Vertex AI requires it, e.g. "
                    + DEFAULT_ANTHROPIC_VERSION);
        }
        int defaultMaxTokens = config.integer("default-max-tokens", DEFAULT_MAX_TOKENS);
        if (defaultMaxTokens < 1) {
            throw config.invalid("default-max-tokens", "must be at least 1, was " + defaultMaxTokens);
        }
        List<String> models = config.strings("models");
        Headers headers = ExtraHeaders.read(config, Map.of("content-type", OWN_HEADER, "accept", OWN_HEADER));
        UpstreamCalls upstream = UpstreamCalls.builder(config.name(), context.upstream(), VertexErrors::parse)
                .relay(GeminiTranslation.RELAY)
                .build();
        Target targets = (where, credentials, keyProject, keyLocation) -> {
            String resolvedProject = keyProject != null ? keyProject : project != null ? project
                    : credentials.projectId();
            if (resolvedProject == null) {
                throw config.invalid("project", "is required: name the Google Cloud project whose Vertex AI to call ("
                        + credentials + " names none)");
            }
            String resolvedLocation = keyLocation != null ? keyLocation : location;
            String base = endpoint != null ? endpoint.toString() : host(resolvedLocation);
            AccessTokens tokens = new AccessTokens("provider " + config.name() + where, credentials, context.clock(),
                    context.upstream());
            return new VertexTarget(resolvedProject, resolvedLocation, base, apiVersion, tokens, upstream, headers,
                    anthropicVersion, context.clock());
        };

        boolean ownCredentials = config.has("credentials-file") || config.has("credentials-json");
        List<PluginConfig> keys = config.children("keys");
        VertexTarget shared = null;
        if (keys.isEmpty()) {
            shared = targets.of("", credentials(config), null, null);
        } else if (ownCredentials) {
            throw config.invalid(config.has("credentials-json") ? "credentials-json" : "credentials-file",
                    "cannot be combined with 'keys': give each key's credentials JSON as its value, or remove 'keys'");
        }
        KeySettings<VertexTarget> byKey = KeySettings.read(config, key -> {
            Secret value = key.secret("value");
            if (value.isEmpty()) {
                return null; // the server answers 401 for an empty key, naming its variable
            }
            String keyProject = key.string("project").map(p -> project(key, p, "project")).orElse(null);
            String keyLocation = key.string("location").map(l -> location(key, l, "location")).orElse(null);
            VertexCredentials credentials;
            try {
                credentials = VertexCredentials.ofJson(value, key.path() + ".value");
            } catch (IllegalArgumentException e) {
                throw key.invalid("value", e.getMessage().substring(e.getMessage().indexOf(' ') + 1));
            }
            return targets.of(", key " + key.string("name", "?"), credentials, keyProject, keyLocation);
        });
        return new VertexProvider(config.name(), shared, byKey, defaultMaxTokens, models);
    }

    /** Builds the target of a credential. */
    @FunctionalInterface
    private interface Target {
        VertexTarget of(String where, VertexCredentials credentials, String project, String location);
    }

    /** {@code credentials-json}, {@code credentials-file}, or Application Default Credentials. */
    private static VertexCredentials credentials(PluginConfig config) {
        if (config.has("credentials-json") && config.has("credentials-file")) {
            throw config.invalid("credentials-file", "give either credentials-file or credentials-json, not both");
        }
        if (config.has("credentials-json")) {
            Secret json = config.secret("credentials-json");
            if (json.isEmpty()) {
                throw config.invalid("credentials-json", "is empty; set its variable to the contents of a Google"
                        + " credentials file, or remove the key to use Application Default Credentials");
            }
            try {
                return VertexCredentials.ofJson(json, "credentials-json");
            } catch (IllegalArgumentException e) {
                throw config.invalid("credentials-json", e.getMessage().substring("credentials-json ".length()));
            }
        }
        if (config.has("credentials-file")) {
            String file = config.string("credentials-file").orElse("").strip();
            String text;
            try {
                text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                throw config.invalid("credentials-file", "cannot read '" + file + "' (" + e.getClass().getSimpleName()
                        + "); name a Google credentials file the gateway may read, such as a service account's key");
            }
            try {
                return VertexCredentials.ofJson(Secret.of(text), "the file");
            } catch (IllegalArgumentException e) {
                throw config.invalid("credentials-file", "'" + file + "': " + e.getMessage().substring(
                        "the file ".length()));
            }
        }
        return VertexCredentials.applicationDefault();
    }

    /** Vertex AI's host for a location: one per region, and one for {@code global}. */
    static String host(String location) {
        return location.equals("global") ? "https://aiplatform.googleapis.com"
                : "https://" + location + "-aiplatform.googleapis.com";
    }

    private static String location(PluginConfig config, String value, String key) {
        String location = value.strip();
        if (!LOCATION.matcher(location).matches()) {
            throw config.invalid(key, "'" + location + "' is not a Vertex AI location such as us-central1,"
                    + " europe-west4 or global");
        }
        return location;
    }

    private static String project(PluginConfig config, String value, String key) {
        String project = value.strip();
        if (!PROJECT.matcher(project).matches()) {
            throw config.invalid(key, "'" + project + "' is not a Google Cloud project id such as my-project-123");
        }
        return project;
    }
}
