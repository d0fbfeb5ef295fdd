package io.oxbow.engine.exec;

import io.oxbow.engine.OperatorStats;
import io.oxbow.engine.ResultStream;
import io.oxbow.engine.eval.Evaluator;
import io.oxbow.engine.plan.JoinNode;
import io.oxbow.engine.plan.JoinNode.JoinType;
import io.oxbow.engine.spill.SpillContext;
import io.oxbow.engine.spill.SpillFile;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The second phase of a spilled hash join (see {@link JoinBridge}): joins build partition {@code p}
 * with the probe partitions {@code p} of every probe operator, one partition after the other, on
 * the calling thread. Each partition is joined by a {@link HashJoinOperator} over a {@link
 * JoinBridge} one level deeper whose build side reads the partition's build files, so every join
 * type, the residual condition and NULL keys behave as without spilling, and a partition still too
 * large is partitioned again. A partition's files are deleted as soon as they have been read;
 * partitions that cannot produce a row (no build rows for an inner, semi or right join, no probe
 * rows for an inner, semi, left or anti join) are skipped.
 */
final class PartitionedJoin implements AutoCloseable {
  private static final int BATCH_ROWS = 4096;

  private final JoinNode node;
  private final Evaluator residual;
  private final JoinPartitions build;
  private final List<JoinPartitions> probes;
  private final BufferAllocator allocator;
  private final SpillContext spill;
  private final Runnable checkCancelled;
  private final int depth;
  private int partition;
  private HashJoinOperator inner;
  private FileBatches probeFiles = new FileBatches(new ArrayList<>());
  private boolean done;

  PartitionedJoin(
      JoinNode node,
      Evaluator residual,
      JoinPartitions build,
      List<JoinPartitions> probes,
      BufferAllocator allocator,
      SpillContext spill,
      Runnable checkCancelled,
      int depth) {
    this.node = node;
    this.residual = residual;
    this.build = build;
    this.probes = probes;
    this.allocator = allocator;
    this.spill = spill;
    this.checkCancelled = checkCancelled;
    this.depth = depth;
  }

  /** Whether every partition has been joined and emitted. */
  boolean done() {
    return done;
  }

  /** The next output page (owned by the caller), or null once done. */
  Page next() {
    while (!done) {
      checkCancelled.run();
      if (inner == null) {
        if (partition == JoinPartitions.PARTITIONS) {
          done = true;
          return null;
        }
        open(partition++);
        continue;
      }
      Page out = inner.getOutput();
      if (out != null) {
        return out;
      }
      if (inner.isFinished()) {
        closeInner();
        continue;
      }
      if (inner.needsInput()) {
        VectorSchemaRoot batch = nextProbeBatch();
        if (batch == null) {
          inner.finish();
        } else {
          inner.addInput(Page.of(batch));
        }
      }
    }
    return null;
  }

  /** Starts joining partition {@code p}, or deletes its files when it cannot produce a row. */
  private void open(int p) {
    List<SpillFile> buildFiles = new ArrayList<>(build.files(p));
    build.files(p).clear();
    long buildRows = 0;
    for (SpillFile f : buildFiles) {
      buildRows += f.rows();
    }
    List<SpillFile> probeList = new ArrayList<>();
    long probeRows = 0;
    for (JoinPartitions side : probes) {
      probeList.addAll(side.files(p));
      side.files(p).clear();
    }
    for (SpillFile f : probeList) {
      probeRows += f.rows();
    }
    JoinType type = node.type();
    boolean buildMatters =
        type == JoinType.RIGHT || type == JoinType.FULL || type == JoinType.RIGHT_ANTI;
    boolean probeMatters = type == JoinType.LEFT || type == JoinType.FULL || type == JoinType.ANTI;
    if ((buildRows == 0 && !probeMatters) || (probeRows == 0 && !buildMatters)) {
      buildFiles.forEach(SpillFile::close);
      probeList.forEach(SpillFile::close);
      return;
    }
    probeFiles = new FileBatches(probeList);
    FilesStream buildSide = new FilesStream(new FileBatches(buildFiles));
    JoinBridge bridge =
        new JoinBridge(node, () -> buildSide, allocator, 1, spill, checkCancelled, depth + 1);
    inner = new HashJoinOperator(node, bridge, residual, allocator);
  }

  /** The next batch of the current partition's probe files, or null. */
  private VectorSchemaRoot nextProbeBatch() {
    return probeFiles.next();
  }

  private void closeInner() {
    HashJoinOperator op = inner;
    inner = null;
    if (op != null) {
      op.close();
    }
  }

  /** Releases what the current partition holds; the partitions' files stay with their owners. */
  @Override
  public void close() {
    done = true;
    RuntimeException failure = null;
    try {
      closeInner();
    } catch (RuntimeException e) {
      failure = e;
    }
    try {
      probeFiles.close();
    } catch (RuntimeException e) {
      failure = failure == null ? e : failure;
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * The batches of a list of spill files in order, each file deleted once read (and all that are
   * left on close). Partitioning writes small batches (one input page's rows of one partition), so
   * consecutive batches of a file are joined up to {@value #BATCH_ROWS} rows: the partition's join,
   * and any partitioning one level deeper, then work on pages of the usual size.
   */
  private final class FileBatches implements AutoCloseable {
    private final List<SpillFile> files;
    private SpillFile.Reader reader;

    FileBatches(List<SpillFile> files) {
      this.files = files;
    }

    /** The next batch (owned by the caller), or null after the last. */
    VectorSchemaRoot next() {
      List<VectorSchemaRoot> parts = new ArrayList<>();
      try {
        int rows = 0;
        while (!files.isEmpty() && rows < BATCH_ROWS) {
          SpillFile file = files.get(0);
          if (reader == null) {
            reader = file.openReader(allocator);
          }
          VectorSchemaRoot batch = reader.next();
          if (batch == null) {
            reader = null;
            files.remove(0);
            file.close(); // closes the reader and deletes the file
            if (!parts.isEmpty()) {
              break; // the next file may hold another schema
            }
            continue;
          }
          parts.add(batch);
          rows += batch.getRowCount();
        }
        if (parts.size() <= 1) {
          return parts.isEmpty() ? null : parts.remove(0);
        }
        VectorSchemaRoot joined = VectorSchemaRoot.create(parts.get(0).getSchema(), allocator);
        try {
          for (int c = 0; c < joined.getFieldVectors().size(); c++) {
            List<FieldVector> sources = new ArrayList<>();
            for (VectorSchemaRoot part : parts) {
              sources.add(part.getVector(c));
            }
            ColumnGather.concat(sources, joined.getVector(c));
          }
          joined.setRowCount(rows);
        } catch (RuntimeException | Error e) {
          joined.close();
          throw e;
        }
        return joined;
      } finally {
        parts.forEach(VectorSchemaRoot::close);
      }
    }

    @Override
    public void close() {
      reader = null;
      RuntimeException failure = null;
      for (SpillFile f : files) {
        try {
          f.close(); // closes its reader too
        } catch (RuntimeException e) {
          failure = failure == null ? e : failure;
        }
      }
      files.clear();
      if (failure != null) {
        throw failure;
      }
    }
  }

  /** A partition's build files as a build side. */
  private final class FilesStream implements ResultStream {
    private final FileBatches batches;

    FilesStream(FileBatches batches) {
      this.batches = batches;
    }

    @Override
    public Schema schema() {
      return node.right().schema();
    }

    @Override
    public VectorSchemaRoot next() {
      checkCancelled.run();
      return batches.next();
    }

    @Override
    public List<OperatorStats> operatorStats() {
      return List.of();
    }

    @Override
    public void close() {
      batches.close();
    }
  }
}
