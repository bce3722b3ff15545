package org.daig.experts.relay;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Function;

import org.daig.api.account.Accounts;
import org.daig.api.account.Identity;
import org.daig.api.account.Role;
import org.daig.api.account.Scope;
import org.daig.experts.net.RelayAccess;

/**
 * The grid's rule for its expert relay: the token in a hello is a grid bearer token, checked by
 * {@link Accounts}. A host must be a device serving under its own client id (so nobody can take
 * another volunteer's name); a caller is a device (a volunteer's trainer) or a person who may run
 * projects (requestor or admin). Everyone else, and every token that does not verify, is refused.
 */
final class GridRelayAccess implements RelayAccess {

    private final Accounts accounts;

    GridRelayAccess(Accounts accounts) {
        this.accounts = accounts;
    }

    @Override
    public String admitHost(byte[] token, String host) {
        return decide(token, id -> id.scope() == Scope.DEVICE && host.equals(id.device()) ? null
                : "refused: a host serves through the relay under its own device id only");
    }

    @Override
    public String admitCaller(byte[] token, String host) {
        return decide(token, id -> id.scope() == Scope.DEVICE || id.scope() == Scope.API && (id.has(Role.REQUESTOR) || id.has(Role.ADMIN))
                ? null : "refused: only devices, requestors and admins call experts");
    }

    /** The rule's answer for the token's identity, or a refusal when the token does not verify. */
    private String decide(byte[] token, Function<Identity, String> rule) {
        Optional<Identity> who = identity(token);
        return who.isEmpty() ? "refused: the relay token is not a valid grid token (enrol the device, or sign in again)" : rule.apply(who.get());
    }

    /** The identity of a UTF-8 token; empty for bytes that are not UTF-8 (no token is). */
    private Optional<Identity> identity(byte[] token) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(token)).toString();
            return accounts.verify(text);
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
