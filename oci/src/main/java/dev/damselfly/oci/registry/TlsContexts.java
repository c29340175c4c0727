package dev.damselfly.oci.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** Builds the client's {@link SSLContext}: the system trust store plus an optional extra CA file. */
final class TlsContexts {
    private TlsContexts() {
    }

    static SSLContext create(Path extraCaFile) throws GeneralSecurityException, IOException {
        if (extraCaFile == null) {
            return SSLContext.getDefault();
        }
        X509TrustManager system = trustManager(null);
        KeyStore extra = KeyStore.getInstance(KeyStore.getDefaultType());
        extra.load(null, null);
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(extraCaFile)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certificates.isEmpty()) {
            throw new CertificateException("no certificate in CA file " + extraCaFile);
        }
        int i = 0;
        for (Certificate certificate : certificates) {
            extra.setCertificateEntry("extra-ca-" + i++, certificate);
        }
        X509TrustManager extraManager = trustManager(extra);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new EitherTrustManager(system, extraManager)}, null);
        return context;
    }

    private static X509TrustManager trustManager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return Arrays.stream(factory.getTrustManagers()).filter(X509TrustManager.class::isInstance)
                .map(X509TrustManager.class::cast).findFirst()
                .orElseThrow(() -> new GeneralSecurityException("no X509TrustManager available"));
    }

    /** Trusts a server chain that either the system store or the extra CAs accept. */
    private static final class EitherTrustManager implements X509TrustManager {
        private final X509TrustManager first;
        private final X509TrustManager second;

        EitherTrustManager(X509TrustManager first, X509TrustManager second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            first.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                first.checkServerTrusted(chain, authType);
            } catch (CertificateException systemRefused) {
                second.checkServerTrusted(chain, authType);
            }
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            List<X509Certificate> all = new ArrayList<>(Arrays.asList(first.getAcceptedIssuers()));
            all.addAll(Arrays.asList(second.getAcceptedIssuers()));
            return all.toArray(X509Certificate[]::new);
        }
    }
}
