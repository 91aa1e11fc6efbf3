package io.gateway.server.upstream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Builds the TLS context of one provider's upstream connections from PEM files: a CA bundle trusted
 * <em>in addition to</em> the JDK's trust store, and a client certificate with its private key for
 * upstreams that require mutual TLS. Used once per provider at start-up; stateless.
 *
 * <p>Errors are {@link IllegalArgumentException}s whose message starts with the configuration key and
 * never contains key material.
 */
public final class UpstreamTls {

    private UpstreamTls() {
    }

    /**
     * A TLS context, or null when neither a CA bundle nor a client certificate is given (the client then
     * uses the JDK's default context).
     *
     * @param path     the configuration path of the {@code tls} block, for messages, e.g.
     *                 {@code gateway.providers.openai.tls}
     * @param caFile   PEM file of CA certificates to trust besides the JDK's, or null
     * @param certFile PEM file of the client certificate (then its chain), or null
     * @param keyFile  PEM file of the client certificate's unencrypted PKCS#8 private key
     *                 ({@code BEGIN PRIVATE KEY}), or null; given together with {@code certFile}
     * @return the context, or null
     * @throws IllegalArgumentException naming the key when a file is missing, unreadable or not what it
     *                                  should be
     */
    public static SSLContext context(String path, Path caFile, Path certFile, Path keyFile) {
        if (caFile == null && certFile == null && keyFile == null) {
            return null;
        }
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException(path + "." + (certFile == null ? "cert-file" : "key-file")
                    + ": is required with " + (certFile == null ? "key-file" : "cert-file")
                    + " (a client certificate needs both the certificate and its private key)");
        }
        try {
            TrustManager[] trust = null;
            if (caFile != null) {
                List<X509Certificate> cas = certificates(path + ".ca-file", caFile);
                trust = new TrustManager[] {trustManager(cas)};
            }
            javax.net.ssl.KeyManager[] keys = null;
            if (certFile != null) {
                List<X509Certificate> chain = certificates(path + ".cert-file", certFile);
                PrivateKey key = privateKey(path + ".key-file", keyFile, chain.get(0));
                char[] password = new char[16];
                SecureRandom random = new SecureRandom();
                for (int i = 0; i < password.length; i++) {
                    password[i] = (char) ('a' + random.nextInt(26));
                }
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("client", key, password, chain.toArray(new Certificate[0]));
                KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                factory.init(store, password);
                Arrays.fill(password, '\0');
                keys = factory.getKeyManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(path + ": cannot set up TLS: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    /** The JDK's default trust anchors plus the given CAs, in one PKIX trust manager. */
    private static X509TrustManager trustManager(List<X509Certificate> cas) throws GeneralSecurityException,
            IOException {
        TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        jdk.init((KeyStore) null);
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        int n = 0;
        for (TrustManager manager : jdk.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                for (X509Certificate issuer : x509.getAcceptedIssuers()) {
                    store.setCertificateEntry("jdk-" + n++, issuer);
                }
            }
        }
        for (X509Certificate ca : cas) {
            store.setCertificateEntry("ca-" + n++, ca);
        }
        TrustManagerFactory combined = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        combined.init(store);
        for (TrustManager manager : combined.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    private static String read(String key, Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(key + ": file " + file + " does not exist");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IllegalArgumentException(key + ": " + file + " is not a PEM file (it is not text)");
        } catch (IOException e) {
            throw new IllegalArgumentException(key + ": cannot read " + file + " (" + e.getClass().getSimpleName()
                    + "); check the path and its permissions");
        }
    }

    private static List<X509Certificate> certificates(String key, Path file) {
        String text = read(key, file);
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks(text, "CERTIFICATE")) {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (CertificateException | IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + file + " holds a certificate that cannot be read");
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException(key + ": " + file
                    + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return certificates;
    }

    private static PrivateKey privateKey(String key, Path file, X509Certificate certificate) {
        String text = read(key, file);
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new IllegalArgumentException(key + ": " + file + " is encrypted; give the key unencrypted "
                    + "(openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8.pem) and protect the file instead");
        }
        if (text.contains("-----BEGIN RSA PRIVATE KEY-----") || text.contains("-----BEGIN EC PRIVATE KEY-----")) {
            throw new IllegalArgumentException(key + ": " + file + " is not PKCS#8; convert it with "
                    + "openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8.pem");
        }
        List<byte[]> blocks;
        try {
            blocks = blocks(text, "PRIVATE KEY");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + file + " is not a readable PEM private key");
        }
        if (blocks.size() != 1) {
            throw new IllegalArgumentException(key + ": " + file + " must hold exactly one PKCS#8 private key "
                    + "(-----BEGIN PRIVATE KEY-----)");
        }
        String algorithm = certificate.getPublicKey().getAlgorithm();
        PrivateKey privateKey;
        try {
            privateKey = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(blocks.get(0)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(key + ": " + file + " is not a " + algorithm
                    + " private key, which the certificate in cert-file needs");
        } finally {
            Arrays.fill(blocks.get(0), (byte) 0);
        }
        if (!belongTogether(privateKey, certificate)) {
            throw new IllegalArgumentException(key + ": the key in " + file
                    + " does not belong to the certificate in cert-file");
        }
        return privateKey;
    }

    /** Signs a probe with the key and verifies it with the certificate. */
    private static boolean belongTogether(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm().toUpperCase(Locale.ROOT)) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "ED25519", "ED448", "EDDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            return true; // not checked here; the handshake will tell
        }
        try {
            byte[] probe = "gateway-key-check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** The DER bytes of every PEM block of one type. */
    private static List<byte[]> blocks(String text, String type) {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        List<byte[]> blocks = new ArrayList<>();
        int from = 0;
        while (true) {
            int start = text.indexOf(begin, from);
            if (start < 0) {
                return blocks;
            }
            int stop = text.indexOf(end, start);
            if (stop < 0) {
                throw new IllegalArgumentException("unterminated PEM block");
            }
            blocks.add(Base64.getMimeDecoder().decode(text.substring(start + begin.length(), stop)));
            from = stop + end.length();
        }
    }
}
