package org.daig.broker;

import java.lang.reflect.Field;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.moquette.broker.IRetainedRepository;
import io.moquette.broker.RetainedMessage;
import io.moquette.broker.Server;
import io.moquette.broker.subscriptions.Topic;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.mqtt.MqttPublishMessage;

/**
 * The embedded broker's retained messages, kept in a tree of topic levels. Moquette 0.17 keeps
 * them in one map and matches every retained message against each new subscription. Every
 * provider's presence is retained, so connecting N providers cost N²/2 topic matches: at 10,000
 * providers that was over a third of the coordinator's CPU while they connected
 * (docs/measurements.md, "A reconnect storm and the broker's retained messages"). Here a
 * subscription walks only the levels its filter names ({@code +} every child, {@code #} everything
 * below), and Moquette's own {@link Topic#match} decides among what it finds, so the answers are
 * the same as Moquette's. It keeps what {@link RetainRule} keeps: of a provider's subtree, only its
 * presence and info.
 *
 * <p>Moquette has no setting for its retained store, so {@link #install} puts this one into its
 * dispatcher's field. If a Moquette update renames that field, the broker says so once and keeps
 * Moquette's own store, which gives the same answers, only slower.
 */
final class RetainedIndex implements IRetainedRepository {

    private static final Logger LOG = LoggerFactory.getLogger(RetainedIndex.class);

    /**
     * One topic level: the message retained on exactly this topic, if any, and the levels below.
     * Changes (retained messages come and go with providers) take the index's lock; subscriptions
     * read without it.
     */
    private static final class Level {
        final Map<String, Level> below = new ConcurrentHashMap<>();
        final AtomicReference<RetainedMessage> message = new AtomicReference<>();
    }

    private static final int MAX_WARNED = 10_000;
    /**
     * The most topics one provider may have kept: its presence and info under two topic roots. The
     * broker takes any root, so without a cap a device could retain its presence under thousands.
     */
    static final int MOST_PER_PROVIDER = 4;

    private final Level root = new Level();
    /** The providers whose retained messages off the protocol's topics were refused with a warning. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private final AtomicInteger count = new AtomicInteger();
    /** How many topics each provider has kept; under the lock. */
    private final Map<String, Integer> perProvider = new HashMap<>();
    /**
     * While {@link #install} carries over the old store's messages: the topics retained or cleared
     * here since the swap. Their old message must not come back. Null once carried over; under the lock.
     */
    private Set<String> changedWhileCarrying;

    /**
     * Makes {@code server}'s broker keep its retained messages in a new index, which it returns
     * (empty if it could not). Messages retained before are carried over, unless their topic was
     * retained or cleared again in the meantime.
     */
    static Optional<RetainedIndex> install(Server server) {
        try {
            Field dispatcherField = Server.class.getDeclaredField("dispatcher");
            dispatcherField.setAccessible(true);
            Object dispatcher = dispatcherField.get(server);
            Field storeField = dispatcher.getClass().getDeclaredField("retainedRepository");
            storeField.setAccessible(true);
            IRetainedRepository before = (IRetainedRepository) storeField.get(dispatcher);
            RetainedIndex index = carryingOver();
            storeField.set(dispatcher, index);
            index.carryOver(before);
            return Optional.of(index);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("Could not index the embedded broker's retained messages ({}); Moquette matches each new subscription against "
                    + "all of them, which slows connecting thousands of providers, and keeps every retained message a provider "
                    + "publishes in its subtree", e.toString());
            return Optional.empty();
        }
    }

    /** An empty index that notes what changes in it until {@link #carryOver} has run. */
    static RetainedIndex carryingOver() {
        RetainedIndex index = new RetainedIndex();
        index.changedWhileCarrying = new HashSet<>();
        return index;
    }

    /**
     * Takes over {@code before}'s messages, except on topics retained or cleared here since this
     * index went in: the broker's clients may already be at work, and their newer word wins.
     */
    void carryOver(IRetainedRepository before) {
        for (RetainedMessage kept : before.retainedOnTopic("#")) {
            keepUnlessChanged(kept);
        }
        synchronized (this) {
            changedWhileCarrying = null;
        }
    }

    @Override
    public void retain(Topic topic, MqttPublishMessage message) {
        if (!RetainRule.keeps(topic.toString())) {
            notKept(topic.toString());
            return;
        }
        ByteBuf content = message.content();
        byte[] payload = new byte[content.readableBytes()];
        content.getBytes(content.readerIndex(), payload);
        if (!put(topic, new RetainedMessage(topic, message.fixedHeader().qosLevel(), payload))) {
            notKept(topic.toString());
        }
    }

    /** Whether a message is retained on exactly this topic (the in-process route keeps what the broker keeps). */
    boolean holds(String topic) {
        Level level = root;
        for (String name : topic.split("/", -1)) {
            level = level.below.get(name);
            if (level == null) {
                return false;
            }
        }
        return level.message.get() != null;
    }

    /** Clears the topic and drops the levels that hold nothing any more, so cleared topics cost no memory. */
    @Override
    public synchronized void cleanRetained(Topic topic) {
        noteChange(topic);
        String[] names = topic.toString().split("/", -1);
        Level[] path = new Level[names.length + 1];
        path[0] = root;
        for (int i = 0; i < names.length; i++) {
            path[i + 1] = path[i].below.get(names[i]);
            if (path[i + 1] == null) {
                return;
            }
        }
        if (path[names.length].message.getAndSet(null) != null) {
            count.decrementAndGet();
            String provider = RetainRule.provider(topic.toString());
            if (provider != null) {
                perProvider.computeIfPresent(provider, (p, n) -> n > 1 ? n - 1 : null);
            }
        }
        for (int i = names.length; i > 0 && path[i].message.get() == null && path[i].below.isEmpty(); i--) {
            path[i - 1].below.remove(names[i - 1], path[i]);
        }
    }

    @Override
    public boolean isEmpty() {
        return count.get() == 0;
    }

    @Override
    public List<RetainedMessage> retainedOnTopic(String filter) {
        List<RetainedMessage> found = new ArrayList<>();
        collect(filter.split("/", -1), found);
        Topic wanted = new Topic(filter);
        found.removeIf(message -> !message.getTopic().match(wanted));
        return found;
    }

    /** Keeps the message unless its provider has {@link #MOST_PER_PROVIDER} other topics kept; false if it did not. */
    private synchronized boolean put(Topic topic, RetainedMessage message) {
        noteChange(topic);
        String name = topic.toString();
        String provider = RetainRule.provider(name);
        boolean replaces = holds(name);
        if (provider != null && !replaces && perProvider.getOrDefault(provider, 0) >= MOST_PER_PROVIDER) {
            return false;
        }
        levelOf(topic).message.set(message);
        if (!replaces) {
            count.incrementAndGet();
            if (provider != null) {
                perProvider.merge(provider, 1, Integer::sum);
            }
        }
        return true;
    }

    private synchronized void keepUnlessChanged(RetainedMessage message) {
        String name = message.getTopic().toString();
        if (RetainRule.keeps(name) && !holds(name) && (changedWhileCarrying == null || !changedWhileCarrying.contains(name))) {
            put(message.getTopic(), message);
        }
    }

    /** Says so once per provider (while fewer than {@link #MAX_WARNED} did), then at DEBUG: a flood must not flood the log. */
    private void notKept(String topic) {
        String provider = String.valueOf(RetainRule.provider(topic));
        if (warned.size() < MAX_WARNED && warned.add(provider)) {
            LOG.warn("Embedded MQTT broker passed on a retained message from provider '{}' on {} without keeping it: a provider's "
                    + "retained messages are kept on {} only, on at most {} topics (docs/protocol.md)", Printable.of(provider),
                    Printable.of(topic), RetainRule.PROVIDER_RETAINED, MOST_PER_PROVIDER);
        } else {
            LOG.debug("Embedded MQTT broker did not keep a retained message on {}", Printable.of(topic));
        }
    }

    private void noteChange(Topic topic) {
        if (changedWhileCarrying != null) {
            changedWhileCarrying.add(topic.toString());
        }
    }

    /** The topic's level, made with those above it where missing; only under the index's lock. */
    private Level levelOf(Topic topic) {
        Level level = root;
        for (String name : topic.toString().split("/", -1)) {
            level = level.below.computeIfAbsent(name, n -> new Level());
        }
        return level;
    }

    /** How many topic levels the index holds (for tests: cleared topics leave none). */
    int levels() {
        List<RetainedMessage> ignored = new ArrayList<>();
        return everythingBelow(root, ignored) - 1;
    }

    /** Where a filter's walk stands: a level, and the index of the filter's next name. */
    private record Step(Level level, int at) {
    }

    /**
     * Everything the filter's levels can reach; {@link Topic#match} then decides. Without
     * recursion: a client that may write anywhere (the service identity, or anyone on an
     * allowAnonymous broker) may retain a message thousands of levels deep.
     */
    private void collect(String[] filter, List<RetainedMessage> found) {
        Deque<Step> todo = new ArrayDeque<>();
        todo.push(new Step(root, 0));
        while (!todo.isEmpty()) {
            Step step = todo.pop();
            if (step.at() == filter.length) {
                addIfAny(step.level(), found);
                continue;
            }
            switch (filter[step.at()]) {
            case "#" -> everythingBelow(step.level(), found); // "a/#" also matches "a" itself
            case "+" -> step.level().below.values().forEach(child -> todo.push(new Step(child, step.at() + 1)));
            default -> {
                Level child = step.level().below.get(filter[step.at()]);
                if (child != null) {
                    todo.push(new Step(child, step.at() + 1));
                }
            }
            }
        }
    }

    /** Adds the messages on {@code level} and every level below it; returns how many levels that was. */
    private static int everythingBelow(Level level, List<RetainedMessage> found) {
        Deque<Level> todo = new ArrayDeque<>();
        todo.push(level);
        int levels = 0;
        while (!todo.isEmpty()) {
            Level next = todo.pop();
            levels++;
            addIfAny(next, found);
            next.below.values().forEach(todo::push);
        }
        return levels;
    }

    private static void addIfAny(Level level, List<RetainedMessage> found) {
        RetainedMessage message = level.message.get();
        if (message != null) {
            found.add(message);
        }
    }
}
