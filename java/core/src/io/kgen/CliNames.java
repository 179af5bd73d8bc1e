package io.kgen;

import java.util.Locale;
import java.util.StringJoiner;

/** Enum constants as the command line spells them (SWISS_ROLL is swiss-roll), and back. */
public final class CliNames {
    private CliNames() {}

    public static String of(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The constant spelled {@code name}; otherwise an exception that lists every spelling. */
    public static <E extends Enum<E>> E parse(Class<E> type, String name, String what) {
        StringJoiner known = new StringJoiner(", ");
        for (E e : type.getEnumConstants()) {
            if (of(e).equals(name)) return e;
            known.add(of(e));
        }
        throw new IllegalArgumentException("unknown " + what + " '" + name + "' (" + known + ")");
    }
}
