package io.gateway.server.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A private certificate authority made with the JDK's keytool for tests: a CA, a server certificate
 * for {@code localhost} and {@code 127.0.0.1} and a client certificate, both signed by the CA, written
 * as PEM files (the client key as PKCS#8) and as server-side TLS contexts.
 */
final class TestPki {

    private static final String PASSWORD = "changeit";

    final Path dir;
    final Path caPem;
    final Path clientCertPem;
    final Path clientKeyPem;
    /** A second, unrelated client certificate's key, for mismatch tests. */
    final Path otherKeyPem;
    private final Path serverStore;

    private TestPki(Path dir) throws Exception {
        this.dir = dir;
        Path caStore = dir.resolve("ca.p12");
        serverStore = dir.resolve("server.p12");
        Path clientStore = dir.resolve("client.p12");
        Path otherStore = dir.resolve("other.p12");
        caPem = dir.resolve("ca.pem");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=Gateway Test CA", "-ext", "bc:c", "-keystore", caStore.toString());
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", caStore.toString(), "-file", caPem.toString());
        signed(caStore, serverStore, "server", "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1");
        signed(caStore, clientStore, "client", "CN=gateway test client", null);
        keytool("-genkeypair", "-alias", "other", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=other", "-keystore", otherStore.toString());
        clientCertPem = dir.resolve("client-cert.pem");
        keytool("-exportcert", "-rfc", "-alias", "client", "-keystore", clientStore.toString(), "-file",
                clientCertPem.toString());
        clientKeyPem = dir.resolve("client-key.pem");
        writeKey(clientStore, "client", clientKeyPem);
        otherKeyPem = dir.resolve("other-key.pem");
        writeKey(otherStore, "other", otherKeyPem);
    }

    /**
     * Makes the files in a folder.
     *
     * @param dir an empty folder
     * @return the PKI
     * @throws Exception if keytool fails
     */
    static TestPki create(Path dir) throws Exception {
        return new TestPki(dir);
    }

    /** A key pair in its own store, its certificate signed by the CA and imported with the CA's. */
    private void signed(Path caStore, Path store, String alias, String dname, String san) throws Exception {
        keytool("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", dname, "-keystore", store.toString());
        Path csr = dir.resolve(alias + ".csr");
        Path pem = dir.resolve(alias + "-signed.pem");
        keytool("-certreq", "-alias", alias, "-keystore", store.toString(), "-file", csr.toString());
        List<String> gencert = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-validity", "2",
                "-keystore", caStore.toString(), "-infile", csr.toString(), "-outfile", pem.toString()));
        if (san != null) {
            gencert.addAll(List.of("-ext", san));
        }
        keytool(gencert.toArray(new String[0]));
        keytool("-importcert", "-noprompt", "-alias", "ca", "-keystore", store.toString(), "-file", caPem.toString());
        keytool("-importcert", "-alias", alias, "-keystore", store.toString(), "-file", pem.toString());
    }

    private static void writeKey(Path store, String alias, Path target) throws Exception {
        Key key = load(store).getKey(alias, PASSWORD.toCharArray());
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Files.writeString(target, pem, StandardCharsets.US_ASCII);
    }

    private static KeyStore load(Path file) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, PASSWORD.toCharArray());
        }
        return store;
    }

    private void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), String.join(" ", args) + ": " + output);
    }

    /**
     * The upstream's TLS context: the server certificate; with {@code requireClientCertificates} it
     * trusts client certificates the CA signed.
     *
     * @param trustClients whether to trust the CA for client certificates
     * @return the context
     * @throws Exception on a TLS set-up failure
     */
    SSLContext serverContext(boolean trustClients) throws Exception {
        KeyStore store = load(serverStore);
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        TrustManagerFactory trust = null;
        if (trustClients) {
            KeyStore cas = KeyStore.getInstance("PKCS12");
            cas.load(null, null);
            cas.setCertificateEntry("ca", store.getCertificate("ca"));
            trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(cas);
        }
        context.init(keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
        return context;
    }
}
