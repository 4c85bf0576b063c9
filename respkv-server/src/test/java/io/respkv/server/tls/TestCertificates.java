package io.respkv.server.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import java.net.Socket;
import java.security.Principal;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates for TLS tests, generated when created and written as PEM files into a directory:
 * a CA, a server certificate for {@code localhost} / {@code 127.0.0.1} and a client certificate
 * both signed by it, and a client certificate signed by another ("foreign") CA. EC P-256 keys,
 * valid from a day ago for a year; keys are unencrypted PKCS#8 PEM (what
 * {@code openssl genpkey} writes).
 *
 * <pre>{@code
 * TestCertificates certs = TestCertificates.create(tempDir);
 * TlsConfig tls = TlsConfig.builder().certificate(certs.serverCert(), certs.serverKey())
 *         .caCertFile(certs.caCert()).build();
 * }</pre>
 */
public final class TestCertificates {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path dir;
    private final X509Certificate ca;
    private final X509Certificate client;
    private final PrivateKey clientKey;
    private final X509Certificate foreignClient;
    private final PrivateKey foreignClientKey;
    private final PrivateKey serverKey;

    private TestCertificates(Path dir) throws GeneralSecurityException, IOException {
        this.dir = dir;
        KeyPair caKeys = newKeys();
        ca = sign(new X500Name("CN=respkv test CA"), caKeys, new X500Name("CN=respkv test CA"), caKeys, Kind.CA);
        KeyPair serverKeys = newKeys();
        X509Certificate server = sign(new X500Name("CN=localhost"), serverKeys, new X500Name("CN=respkv test CA"),
                caKeys, Kind.SERVER);
        KeyPair clientKeys = newKeys();
        client = sign(new X500Name("CN=respkv test client"), clientKeys, new X500Name("CN=respkv test CA"), caKeys,
                Kind.CLIENT);
        clientKey = clientKeys.getPrivate();
        KeyPair foreignCaKeys = newKeys();
        X509Certificate foreignCa = sign(new X500Name("CN=foreign CA"), foreignCaKeys, new X500Name("CN=foreign CA"),
                foreignCaKeys, Kind.CA);
        KeyPair foreignKeys = newKeys();
        foreignClient = sign(new X500Name("CN=foreign client"), foreignKeys, new X500Name("CN=foreign CA"),
                foreignCaKeys, Kind.CLIENT);
        foreignClientKey = foreignKeys.getPrivate();
        Files.createDirectories(dir);
        writePem(caCert(), ca);
        writePem(serverCert(), server);
        serverKey = serverKeys.getPrivate();
        writePem(serverKey(), new JcaPKCS8Generator(serverKey, null));
        writePem(clientCert(), client);
        writePem(clientKey(), new JcaPKCS8Generator(clientKey, null));
        writePem(dir.resolve("foreign-ca.crt"), foreignCa);
        writePem(foreignClientCert(), foreignClient);
        writePem(foreignClientKey(), new JcaPKCS8Generator(foreignClientKey, null));
    }

    /** Generates the certificates and writes their PEM files into {@code dir} (created if missing). */
    public static TestCertificates create(Path dir) {
        try {
            return new TestCertificates(dir);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** The CA certificate (tls-ca-cert-file). */
    public Path caCert() {
        return dir.resolve("ca.crt");
    }

    /** The server certificate (CN=localhost, SAN localhost and 127.0.0.1), signed by the CA. */
    public Path serverCert() {
        return dir.resolve("server.crt");
    }

    public Path serverKey() {
        return dir.resolve("server.key");
    }

    /**
     * The server key as an encrypted PKCS#8 PEM ({@code -----BEGIN ENCRYPTED PRIVATE KEY-----},
     * PBE with SHA-1 and 3DES, which the JDK decrypts without BouncyCastle), written on first call.
     */
    public Path encryptedServerKey(String password) {
        Path file = dir.resolve("server-encrypted.key");
        try {
            org.bouncycastle.operator.OutputEncryptor encryptor =
                    new org.bouncycastle.pkcs.jcajce.JcePKCSPBEOutputEncryptorBuilder(
                            org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.pbeWithSHAAnd3_KeyTripleDES_CBC)
                            .build(password.toCharArray());
            writePem(file, new JcaPKCS8Generator(serverKey, encryptor));
            return file;
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A client certificate signed by the CA. */
    public Path clientCert() {
        return dir.resolve("client.crt");
    }

    public Path clientKey() {
        return dir.resolve("client.key");
    }

    /** A client certificate signed by a CA the server does not trust. */
    public Path foreignClientCert() {
        return dir.resolve("foreign-client.crt");
    }

    public Path foreignClientKey() {
        return dir.resolve("foreign-client.key");
    }

    /** A JDK context trusting the CA, presenting no client certificate. */
    public SSLContext clientContextWithoutCertificate() {
        return jdkContext(null, null);
    }

    /** A JDK context trusting the CA, presenting the CA-signed client certificate. */
    public SSLContext clientContext() {
        return jdkContext(client, clientKey);
    }

    /** A JDK context trusting the CA, presenting the foreign CA's client certificate. */
    public SSLContext foreignClientContext() {
        return jdkContext(foreignClient, foreignClientKey);
    }

    private SSLContext jdkContext(X509Certificate cert, PrivateKey key) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (cert != null) {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("client", key, new char[0], new X509Certificate[] {cert});
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, new char[0]);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : new KeyManager[] {new AlwaysPresent((X509ExtendedKeyManager) kmf.getKeyManagers()[0])},
                    tmf.getTrustManagers(), new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Presents the certificate whatever CAs the server names: the JDK's own key manager sends
     * none when its issuer is not among them, and tests must see the server refuse a foreign one.
     */
    private static final class AlwaysPresent extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager keys;

        AlwaysPresent(X509ExtendedKeyManager keys) {
            this.keys = keys;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {"client"};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return "client";
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return "client";
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return keys.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return keys.getPrivateKey(alias);
        }
    }

    private enum Kind { CA, SERVER, CLIENT }

    private static KeyPair newKeys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, KeyPair issuerKeys,
                                        Kind kind) throws GeneralSecurityException, IOException {
        long now = System.currentTimeMillis();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                new Date(now - 86_400_000L), new Date(now + 365 * 86_400_000L), subject, subjectKeys.getPublic());
        switch (kind) {
            case CA -> {
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            }
            case SERVER -> {
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            }
            case CLIENT -> {
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            }
            default -> throw new AssertionError(kind);
        }
        ContentSigner signer;
        try {
            signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate());
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
        return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }

    private static void writePem(Path file, Object pem) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            if (pem instanceof org.bouncycastle.util.io.pem.PemObjectGenerator g) {
                w.writeObject(g);
            } else {
                w.writeObject(pem);
            }
        }
        Files.writeString(file, out.toString(), StandardCharsets.US_ASCII);
    }
}
