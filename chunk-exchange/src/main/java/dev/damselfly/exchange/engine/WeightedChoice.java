package dev.damselfly.exchange.engine;

import java.util.List;
import java.util.Random;
import java.util.function.ToLongFunction;

/**
 * Weighted random choice (spec §2.4: a parent is picked with probability proportional to its weight, see
 * {@link ParentWeight}).
 */
final class WeightedChoice {
    private WeightedChoice() {
    }

    /**
     * @param weight a weight ≥ 1 for each option (smaller values are taken as 1)
     * @return one of {@code options}, or null when it is empty
     */
    static <T> T choose(List<T> options, ToLongFunction<T> weight, Random random) {
        if (options.isEmpty()) {
            return null;
        }
        long total = 0;
        long[] cumulative = new long[options.size()];
        for (int i = 0; i < options.size(); i++) {
            total += Math.max(1, weight.applyAsLong(options.get(i)));
            cumulative[i] = total;
        }
        long r = (long) (random.nextDouble() * total);
        for (int i = 0; i < cumulative.length; i++) {
            if (r < cumulative[i]) {
                return options.get(i);
            }
        }
        return options.get(options.size() - 1);
    }
}
