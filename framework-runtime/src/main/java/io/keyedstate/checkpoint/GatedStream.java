package io.keyedstate.checkpoint;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.keyedstate.scope.RecordKeys;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.helpers.Subscriptions;
import io.smallrye.mutiny.operators.multi.AbstractMultiOperator;
import io.smallrye.mutiny.subscription.MultiSubscriber;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;

/**
 * The stream of a keyed channel with a gate per input partition. A closed gate holds back that
 * partition's records, in order, while the other partitions flow on: the stream asks upstream for
 * one more record per held one, up to {@link #MAX_HELD}, after which back-pressure stops the
 * consumer. On a channel whose handler runs records concurrently, records of one key also wait
 * for the one before them to be acknowledged, so that a key's read-modify-writes never race. Items
 * are emitted in a serialized drain loop, from whichever thread admitted or released them.
 */
final class GatedStream<K, V> extends AbstractMultiOperator<IncomingKafkaRecord<K, V>, IncomingKafkaRecord<K, V>> {

    static final int PREFETCH = 256;
    static final int MAX_HELD = 4096;

    private final KeyedStateCommitHandler handler;

    GatedStream(Multi<IncomingKafkaRecord<K, V>> upstream, KeyedStateCommitHandler handler) {
        super(upstream);
        this.handler = handler;
    }

    @Override
    public void subscribe(MultiSubscriber<? super IncomingKafkaRecord<K, V>> downstream) {
        Gate<K, V> gate = new Gate<>(downstream, handler);
        handler.attach(gate);
        upstream.subscribe().withSubscriber(gate);
    }

    static long timestamp(IncomingKafkaRecord<?, ?> record) {
        java.time.Instant timestamp = record.getTimestamp();
        return timestamp == null ? Long.MIN_VALUE : timestamp.toEpochMilli();
    }

    static final class Gate<K, V> implements MultiSubscriber<IncomingKafkaRecord<K, V>>, Flow.Subscription {

        private final MultiSubscriber<? super IncomingKafkaRecord<K, V>> downstream;
        private final KeyedStateCommitHandler handler;
        private final ConcurrentLinkedQueue<Object> ready = new ConcurrentLinkedQueue<>();
        private final AtomicLong requested = new AtomicLong();
        private final AtomicInteger wip = new AtomicInteger();
        /** Released records that were already replaced upstream: emitting them asks for nothing more. */
        private final AtomicLong surplus = new AtomicLong();
        private final AtomicInteger heldTotal = new AtomicInteger();
        private volatile Flow.Subscription upstream;
        private volatile boolean done;
        private volatile Throwable failure;
        private volatile boolean cancelled;

        Gate(MultiSubscriber<? super IncomingKafkaRecord<K, V>> downstream, KeyedStateCommitHandler handler) {
            this.downstream = downstream;
            this.handler = handler;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            upstream = subscription;
            downstream.onSubscribe(this);
            subscription.request(PREFETCH);
        }

        @Override
        public void onItem(IncomingKafkaRecord<K, V> record) {
            handler.dispatching();
            InputPartition input = handler.input(record.getTopic(), record.getPartition());
            boolean replace = false;
            long before = input == null ? Long.MIN_VALUE : input.maxTimestamp();
            if (input == null) {
                // A record of a partition revoked since it was fetched: its new owner processes it.
                replace = true;
            } else {
                synchronized (input) {
                    if (input.admit(record.getOffset(), timestamp(record))) {
                        enter(input, record);
                    } else {
                        input.held.add(record);
                        if (heldTotal.incrementAndGet() <= MAX_HELD) {
                            input.compensated++;
                            replace = true;
                        }
                    }
                }
            }
            if (replace) {
                upstream.request(1);
            }
            drain();
            if (input != null && input.maxTimestamp() > before) {
                handler.timestampAdvanced(input);
            }
        }

        /** Opens the partition's gate and emits what it held, before any record admitted after it. */
        void release(InputPartition input) {
            long before = input.maxTimestamp();
            boolean opened;
            synchronized (input) {
                opened = input.open();
                if (opened) {
                    for (Object held : input.held) {
                        IncomingKafkaRecord<?, ?> record = (IncomingKafkaRecord<?, ?>) held;
                        input.admitted(record.getOffset(), timestamp(record));
                        enter(input, record);
                    }
                    heldTotal.addAndGet(-input.held.size());
                    surplus.addAndGet(input.compensated);
                    input.held.clear();
                    input.compensated = 0;
                }
            }
            if (!opened) {
                discard(input); // let go at its final barrier: what it held is its next owner's to read
                return;
            }
            drain();
            if (input.maxTimestamp() > before) {
                handler.timestampAdvanced(input);
            }
        }

        /** An admitted record goes out now, or, on a channel ordered by key, after the record of its key in process. */
        private void enter(InputPartition input, IncomingKafkaRecord<?, ?> record) {
            if (!handler.orderedByKey || input.enterKey(RecordKeys.normalize(record.getKey()), record)) {
                ready.offer(record);
            }
        }

        /** A record is done: on a channel ordered by key, the next record of its key may go. */
        void acknowledged(InputPartition input, IncomingKafkaRecord<?, ?> record) {
            if (handler.orderedByKey) {
                Object next = input.leaveKey(RecordKeys.normalize(record.getKey()));
                if (next != null) {
                    ready.offer(next);
                    drain();
                }
            }
        }

        /** Forgets what a revoked partition held: its new owner reads those records again. */
        void discard(InputPartition input) {
            long uncompensated;
            synchronized (input) {
                uncompensated = input.held.size() - input.compensated;
                heldTotal.addAndGet(-input.held.size());
                input.held.clear();
                input.compensated = 0;
            }
            if (uncompensated > 0 && upstream != null) {
                upstream.request(uncompensated);
            }
        }

        @Override
        public void onFailure(Throwable throwable) {
            failure = throwable;
            done = true;
            drain();
        }

        @Override
        public void onCompletion() {
            done = true;
            drain();
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                downstream.onFailure(Subscriptions.getInvalidRequestException());
                return;
            }
            Subscriptions.add(requested, n);
            drain();
        }

        @Override
        public void cancel() {
            cancelled = true;
            Flow.Subscription subscription = upstream;
            if (subscription != null) {
                subscription.cancel();
            }
        }

        @SuppressWarnings("unchecked")
        private void drain() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            int missed = 1;
            while (true) {
                long wanted = requested.get();
                long emitted = 0;
                long replenish = 0;
                while (emitted != wanted && !cancelled) {
                    Object record = ready.poll();
                    if (record == null) {
                        break;
                    }
                    downstream.onItem((IncomingKafkaRecord<K, V>) record);
                    emitted++;
                    if (!takeSurplus()) {
                        replenish++;
                    }
                }
                if (cancelled) {
                    return;
                }
                if (emitted > 0 && wanted != Long.MAX_VALUE) {
                    requested.addAndGet(-emitted);
                }
                if (replenish > 0) {
                    upstream.request(replenish);
                }
                if (done && ready.isEmpty()) {
                    cancelled = true;
                    if (failure != null) {
                        downstream.onFailure(failure);
                    } else {
                        downstream.onCompletion();
                    }
                    return;
                }
                missed = wip.addAndGet(-missed);
                if (missed == 0) {
                    return;
                }
            }
        }

        private boolean takeSurplus() {
            while (true) {
                long current = surplus.get();
                if (current == 0) {
                    return false;
                }
                if (surplus.compareAndSet(current, current - 1)) {
                    return true;
                }
            }
        }
    }
}
