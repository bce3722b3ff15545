package org.daig.experts.net;

import java.security.MessageDigest;

/**
 * Who may use an {@link ExpertRelay}, from the token each side presents in its hello: a host that
 * serves experts under a name, and a caller that calls the experts of a named host. Each method
 * answers null to let the connection in, or the reason it is refused (sent back to the peer, so it
 * must not repeat the token).
 */
public interface RelayAccess {

    String admitHost(byte[] token, String host);

    String admitCaller(byte[] token, String host);

    /** Everybody who presents this token, hosts and callers alike (compared in constant time). */
    static RelayAccess sharedToken(byte[] token) {
        byte[] expected = token.clone();
        return new RelayAccess() {
            @Override
            public String admitHost(byte[] presented, String host) {
                return MessageDigest.isEqual(presented, expected) ? null : "refused: wrong relay token";
            }

            @Override
            public String admitCaller(byte[] presented, String host) {
                return MessageDigest.isEqual(presented, expected) ? null : "refused: wrong relay token";
            }
        };
    }
}
