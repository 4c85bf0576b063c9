package io.respkv.standalone;

import io.respkv.server.TlsConfig;
import java.nio.file.Path;

/**
 * Redis's {@code tls-*} flags, for the server ({@code --tls-cert-file ...}) and the proxy's
 * backend side ({@code --backend-tls-cert-file ...}): collected while parsing, then one
 * {@link TlsConfig}.
 */
final class TlsFlags {

    private final String prefix;
    String certFile;
    String keyFile;
    String keyFilePass;
    String caCertFile;
    TlsConfig.AuthClients authClients = TlsConfig.AuthClients.YES;
    String protocols;
    String ciphers;

    /** @param prefix {@code "--tls-"} or {@code "--backend-tls-"} */
    TlsFlags(String prefix) {
        this.prefix = prefix;
    }

    /** Takes {@code flag} if it is one of these flags; false if it is not. */
    boolean accept(String flag, String value) {
        if (!flag.startsWith(prefix)) {
            return false;
        }
        switch (flag.substring(prefix.length())) {
            case "cert-file" -> certFile = value;
            case "key-file" -> keyFile = value;
            case "key-file-pass" -> keyFilePass = value;
            case "ca-cert-file" -> caCertFile = value;
            case "auth-clients" -> {
                try {
                    authClients = TlsConfig.AuthClients.parse(value);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(flag + " needs yes, no or optional, got '" + value + "'");
                }
            }
            case "protocols" -> protocols = value;
            case "ciphers" -> ciphers = value;
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Whether any certificate or CA flag was given. */
    boolean given() {
        return certFile != null || keyFile != null || caCertFile != null;
    }

    /** The configuration the flags describe. */
    TlsConfig config() {
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException(prefix + "cert-file and " + prefix + "key-file go together");
        }
        TlsConfig.Builder b = TlsConfig.builder()
                .certificate(certFile == null ? null : Path.of(certFile), keyFile == null ? null : Path.of(keyFile))
                .keyPassword(keyFilePass)
                .caCertFile(caCertFile == null ? null : Path.of(caCertFile))
                .authClients(authClients);
        if (protocols != null) {
            b.protocols(split(protocols));
        }
        if (ciphers != null) {
            b.ciphers(split(ciphers));
        }
        return b.build();
    }

    private static String[] split(String list) {
        return java.util.Arrays.stream(list.trim().split("[\\s:,]+")).filter(s -> !s.isEmpty()).toArray(String[]::new);
    }
}
