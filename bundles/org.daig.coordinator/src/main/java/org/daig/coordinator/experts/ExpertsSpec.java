package org.daig.coordinator.experts;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.daig.experts.BlockSize;
import org.daig.experts.ExpertGrid;

import com.google.gson.Gson;

/**
 * What a requestor asks for in an experts project (issue 18): a mixture-of-experts layer whose
 * experts volunteers host. The coordinator cuts the grid's cells into {@code hosts} groups and hands
 * each group to one provider at a time; the trainers (the requestor's machine) run the rest of the
 * model and find the experts through the project's DHT.
 *
 * @param name         a name for people
 * @param prefix       the experts' uid prefix ({@code ffn})
 * @param grid         the grid's size, e.g. {@code 4x4}
 * @param width        the mixture's width: each expert maps width → hidden → width
 * @param hidden       each expert's hidden size
 * @param hosts        how many groups of cells (one provider hosts one group)
 * @param optimizer    the experts' optimizer: adam, sgd or momentum (null: momentum)
 * @param learningRate the experts' learning rate (null: 0.05)
 * @param seed         the experts' initial weights (null: 1)
 * @param k            experts chosen per sample (null: 4, at most the cells)
 * @param kMin         answers a trainer waits for per sample (null: half of k, at least 1)
 */
public record ExpertsSpec(String name, String prefix, String grid, int width, int hidden, int hosts, String optimizer,
        Double learningRate, Long seed, Integer k, Integer kMin) {

    /** Most cells one project may have: every group's parameters travel as one checkpoint. */
    public static final long MOST_CELLS = 4096;
    public static final int MOST_WIDTH = 4096;
    public static final int MOST_HIDDEN = 16384;
    /** Most parameters one group may hold (256 MiB of float32), so one checkpoint stays a reasonable upload. */
    public static final long MOST_GROUP_PARAMETERS = 1L << 26;
    static final Set<String> OPTIMIZERS = Set.of("adam", "sgd", "momentum");
    private static final Gson GSON = new Gson();

    /** The settings a requestor may leave out, filled in. */
    public ExpertsSpec withDefaults() {
        int kk = k == null ? 4 : k;
        return new ExpertsSpec(name == null ? null : name.strip(), prefix == null ? null : prefix.strip(), grid == null ? null : grid.strip(),
                width, hidden, hosts, optimizer == null || optimizer.isBlank() ? "momentum" : optimizer.strip(),
                learningRate == null ? 0.05 : learningRate, seed == null ? 1L : seed, kk, kMin == null ? Math.max(1, kk / 2) : kMin);
    }

    /** Everything wrong with these settings (after {@link #withDefaults}), each naming its field; empty when they are fine. */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        if (name == null || name.isBlank() || name.length() > 200) {
            out.add("name: give the project a name of 1 to 200 characters");
        }
        ExpertGrid g = null;
        try {
            g = expertGrid();
        } catch (IllegalArgumentException | NullPointerException e) {
            out.add("grid: " + (prefix == null || grid == null ? "set prefix (e.g. ffn) and grid (e.g. 4x4)" : e.getMessage()));
        }
        if (g != null && g.cells() > MOST_CELLS) {
            out.add("grid: " + grid + " has " + g.cells() + " cells; at most " + MOST_CELLS);
        }
        if (width < 1 || width > MOST_WIDTH) {
            out.add("width: " + width + " is not in 1.." + MOST_WIDTH + " (the mixture's width, the last trainer layer's size)");
        }
        if (hidden < 1 || hidden > MOST_HIDDEN) {
            out.add("hidden: " + hidden + " is not in 1.." + MOST_HIDDEN + " (each expert's hidden size)");
        }
        long cells = g == null ? 0 : g.cells();
        if (g != null && (hosts < 1 || hosts > cells)) {
            out.add("hosts: " + hosts + " is not in 1.." + cells + " (how many providers share the " + cells + " cells)");
        } else if (g != null && out.isEmpty() && largestGroupParameters() > MOST_GROUP_PARAMETERS) {
            out.add("hosts: one group would hold " + largestGroupParameters() + " parameters, more than " + MOST_GROUP_PARAMETERS
                    + "; use more hosts or smaller experts");
        }
        if (optimizer == null || !OPTIMIZERS.contains(optimizer)) {
            out.add("optimizer: '" + optimizer + "' is not one of adam, sgd, momentum");
        }
        if (learningRate == null || !(learningRate > 0 && learningRate <= 10)) {
            out.add("learningRate: " + learningRate + " is not in (0, 10]");
        }
        if (k == null || k < 1 || g != null && k > cells) {
            out.add("k: " + k + " is not in 1.." + (g == null ? "the cells" : cells) + " (experts per sample)");
        } else if (kMin == null || kMin < 1 || kMin > k) {
            out.add("kMin: " + kMin + " is not in 1.." + k + " (answers awaited per sample)");
        }
        return out;
    }

    /** A spec as the coordinator stored it (JSON, written from a checked spec). */
    static ExpertsSpec stored(String json) {
        return GSON.fromJson(json, ExpertsSpec.class);
    }

    public ExpertGrid expertGrid() {
        return ExpertGrid.parse(prefix, grid);
    }

    /** Parameters of one expert. */
    public long expertParameters() {
        return new BlockSize(width, hidden).parameters();
    }

    /** The cells of group {@code group}, as indices into the grid: [from, to). Groups are contiguous and differ by one cell at most. */
    public long[] groupCells(int group) {
        long cells = expertGrid().cells();
        return new long[] { group * cells / hosts, (group + 1L) * cells / hosts };
    }

    /** Parameters of the largest group (groups differ by one cell at most). */
    public long largestGroupParameters() {
        long cells = expertGrid().cells();
        return (cells + hosts - 1) / hosts * expertParameters();
    }

    /** Parameters of group {@code group} (all its experts, one after the other). */
    public long groupParameters(int group) {
        long[] range = groupCells(group);
        return (range[1] - range[0]) * expertParameters();
    }
}
