package io.gateway.plugins.vertex;

import com.google.auth.http.HttpTransportFactory;
import com.google.auth.oauth2.GoogleCredentials;
import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Secret;
import jakarta.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * Where a Vertex provider's Google credential comes from: a credentials JSON (a service-account key, a
 * gcloud user's {@code authorized_user} file, a workload identity federation {@code external_account}
 * configuration, or an impersonation), given inline as a secret or read from a file at start-up; or
 * Google's Application Default Credentials, looked up when the first token is needed (the environment's
 * {@code GOOGLE_APPLICATION_CREDENTIALS}, gcloud's default file, or the metadata server of Google Cloud).
 * A JSON is checked at start-up without any network call. Immutable; the secret is never logged.
 */
final class VertexCredentials {

    /** The one scope Vertex AI needs. */
    static final List<String> SCOPES = List.of("https://www.googleapis.com/auth/cloud-platform");

    /** The credential types of Google's JSON files that the auth library turns into OAuth tokens. */
    private static final Set<String> TYPES = Set.of("service_account", "authorized_user", "external_account",
            "impersonated_service_account", "external_account_authorized_user", "gdch_service_account");

    private final Secret json;
    private final String description;
    private final String projectId;

    private VertexCredentials(Secret json, String description, String projectId) {
        this.json = json;
        this.description = description;
        this.projectId = projectId;
    }

    /**
     * A credentials JSON, checked now.
     *
     * @param json the JSON text
     * @param where what to name in a message about it, e.g. {@code credentials-json}
     * @return the source
     * @throws IllegalArgumentException naming {@code where} when it is not such a JSON (the text itself is
     *                                  never part of the message)
     */
    static VertexCredentials ofJson(Secret json, String where) {
        JsonObject object;
        try {
            object = JsonBodies.parse(json.reveal().getBytes(StandardCharsets.UTF_8));
        } catch (GatewayException e) {
            throw new IllegalArgumentException(where + " is not JSON; give the contents of a Google credentials"
                    + " file, such as a service account's key file");
        }
        String type = JsonBodies.string(object, "type");
        if (type == null || !TYPES.contains(type)) {
            throw new IllegalArgumentException(where + " is not a Google credentials JSON: its 'type' is "
                    + (type == null ? "missing" : "'" + type + "'") + "; expected one of " + TYPES);
        }
        try {
            parse(json, () -> {
                throw new IllegalStateException("no network while checking credentials");
            });
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(where + " is a " + type + " credential Google's auth library cannot"
                    + " read: " + e.getMessage());
        }
        String email = JsonBodies.string(object, "client_email");
        String project = JsonBodies.string(object, "project_id");
        if (project == null) {
            project = JsonBodies.string(object, "quota_project_id");
        }
        return new VertexCredentials(json, type + (email == null ? "" : " " + email), project);
    }

    /**
     * Application Default Credentials, looked up at the first token.
     *
     * @return the source
     */
    static VertexCredentials applicationDefault() {
        return new VertexCredentials(null, "Application Default Credentials", null);
    }

    /**
     * The credential, with the Vertex AI scope, its HTTP sent through {@code transport}.
     *
     * @param transport the gateway's upstream client as Google's HTTP
     * @return the credential
     * @throws IOException when Application Default Credentials are not found, or the JSON cannot be read
     */
    GoogleCredentials load(HttpTransportFactory transport) throws IOException {
        GoogleCredentials credentials = json == null ? GoogleCredentials.getApplicationDefault(transport)
                : parse(json, transport);
        return credentials.createScopedRequired() ? credentials.createScoped(SCOPES) : credentials;
    }

    private static GoogleCredentials parse(Secret json, HttpTransportFactory transport) throws IOException {
        return GoogleCredentials.fromStream(new ByteArrayInputStream(json.reveal().getBytes(StandardCharsets.UTF_8)),
                transport);
    }

    /**
     * The project the credential names ({@code project_id}, else {@code quota_project_id}).
     *
     * @return the project, or {@code null} (always for Application Default Credentials)
     */
    String projectId() {
        return projectId;
    }

    /**
     * What the credential is, for messages: its type and service account, never its secret.
     *
     * @return e.g. {@code service_account gateway@my-project.iam.gserviceaccount.com}
     */
    @Override
    public String toString() {
        return description;
    }
}
