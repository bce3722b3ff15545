package org.daig.experts.relay;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

import javax.net.ServerSocketFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.daig.api.account.Accounts;
import org.daig.experts.net.ExpertRelay;
import org.daig.tls.ServerTls;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's expert relay (issue 18): runs an {@link ExpertRelay} on the configured port, over
 * TLS with the coordinator's certificate when its TLS is on, admitting hosts and callers by their grid
 * tokens ({@link GridRelayAccess}). Off while the port is 0. Without TLS it listens on loopback only:
 * tokens must not cross the network in the clear.
 */
@Component(configurationPid = RelayConfig.PID)
@Designate(ocd = RelayConfig.class)
public class GridRelay {

    private static final Logger LOG = LoggerFactory.getLogger(GridRelay.class);

    private final ExpertRelay relay;
    private final int port;

    @Activate
    public GridRelay(@Reference(name = "accounts") Accounts accounts,
            @Reference(name = "tls", cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY) ServerTls tls,
            RelayConfig config) throws IOException, GeneralSecurityException {
        if (config.port() == 0) {
            relay = null;
            port = 0;
            LOG.info("The expert relay is off (set port in {}.cfg to run it)", RelayConfig.PID);
            return;
        }
        if (tls == null && !InetAddress.getByName(config.host()).isLoopbackAddress()) {
            throw new IOException("the expert relay would listen on " + config.host() + " without TLS; turn the coordinator's TLS on "
                    + "(org.daig.tls) or set host = 127.0.0.1 in " + RelayConfig.PID + ".cfg");
        }
        relay = new ExpertRelay(new GridRelayAccess(accounts), config.maxPayloadBytes(), tls == null ? ServerSocketFactory.getDefault()
                : serverSockets(tls));
        port = relay.start(config.host(), config.port());
        LOG.info("Expert relay on {}:{}{}", config.host(), port, tls == null ? " (plain, loopback only)" : " (TLS)");
    }

    /** The port it listens on (0: off). */
    public int port() {
        return port;
    }

    @Deactivate
    void deactivate() {
        if (relay != null) {
            relay.close();
        }
    }

    /** TLS server sockets with the coordinator's key and chain. */
    static ServerSocketFactory serverSockets(ServerTls tls) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(tls.keystore())) {
            store.load(in, tls.password());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, tls.password());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context.getServerSocketFactory();
    }
}
