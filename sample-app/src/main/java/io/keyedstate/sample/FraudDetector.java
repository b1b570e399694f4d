package io.keyedstate.sample;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Outgoing;

import io.keyedstate.KeyedState;
import io.keyedstate.ListState;
import io.keyedstate.MapState;
import io.keyedstate.ValueState;
import io.smallrye.mutiny.Multi;
import io.smallrye.reactive.messaging.kafka.Record;

/**
 * Scores card payments, keyed by card number, and emits an alert when a payment looks unlike the
 * card's recent history: far above its recent amounts, or at too many merchants within the hour.
 * Input: topic {@code payments}, key the card, value {@code merchant,amountCents}. Output: topic
 * {@code alerts}, key the card, value the reason.
 */
@ApplicationScoped
public class FraudDetector {

    static final int RECENT_FOR_BASELINE = 3;
    static final int SPIKE_FACTOR = 5;
    static final int MAX_MERCHANTS_PER_HOUR = 5;

    /** Amounts of the card's payments in the last 10 minutes, oldest first. */
    @KeyedState(ttl = "PT10M")
    ListState<Long> recentAmounts;

    /** Payments per merchant; each merchant's entry expires an hour after the card last paid there. */
    @KeyedState(ttl = "PT1H")
    MapState<String, Long> merchantsThisHour;

    /** All payments the card ever made, in cents: state without a TTL, next to state with one. */
    @KeyedState
    ValueState<Long> lifetimeCents;

    @Incoming("payments")
    @Outgoing("alerts")
    public Multi<Record<String, String>> score(Record<String, String> payment) {
        String[] fields = payment.value().split(",", 2);
        String merchant = fields[0];
        long amount = Long.parseLong(fields[1].trim());
        List<String> reasons = new ArrayList<>();

        List<Long> recent = new ArrayList<>();
        recentAmounts.get().forEach(recent::add);
        if (recent.size() >= RECENT_FOR_BASELINE) {
            long average = recent.stream().mapToLong(Long::longValue).sum() / recent.size();
            if (amount > SPIKE_FACTOR * average) {
                reasons.add("amount " + amount + " is over " + SPIKE_FACTOR + "x the recent average " + average);
            }
        }
        Long visits = merchantsThisHour.get(merchant);
        merchantsThisHour.put(merchant, visits == null ? 1 : visits + 1);
        int merchants = 0;
        for (String ignored : merchantsThisHour.keys()) {
            merchants++;
        }
        if (merchants > MAX_MERCHANTS_PER_HOUR) {
            reasons.add(merchants + " merchants within the hour");
        }
        recentAmounts.add(amount);
        lifetimeCents.set(lifetimeCents.getOrDefault(0L) + amount);

        return Multi.createFrom().iterable(reasons).map(reason -> Record.of(payment.key(), reason));
    }
}
