import { FORECAST_DEFAULTS, RecoverySample, forecastRto } from './forecast';

const MB = 1e6;
const sample = (vms: number, bytes: number, rehydrationSeconds: number, rtoSeconds: number, waitSeconds = 0): RecoverySample => ({
  taskId: `task-${vms}-${bytes}-${rtoSeconds}`,
  operation: 'failover',
  at: '2026-12-01T10:00:00.000Z',
  vms,
  bytes,
  rehydrationSeconds,
  rtoSeconds,
  waitSeconds,
});

describe('forecastRto', () => {
  it('uses the stated defaults before any recovery was measured, and says so', () => {
    const f = forecastRto({ bytes: 1600 * MB, vms: 1, waitSeconds: 30 }, []);
    const { fixedSeconds, perVmSeconds, rateBytesPerSecond } = FORECAST_DEFAULTS;
    expect(f).toMatchObject({ basis: 'default', samples: 0, rateBytesPerSecond, fixedSeconds, perVmSeconds, waitSeconds: 30 });
    expect(f.seconds).toBeCloseTo(fixedSeconds + perVmSeconds + 1600 / 200 + 30, 1);
  });

  it('takes the rate from the measured recoveries that moved enough bytes, and the rest of their time as fixed', () => {
    // 1.6 GB in 2 s of rehydration, 2.5 s in all: 800 MB/s and 0.5 s besides (less the per-VM default)
    const f = forecastRto({ bytes: 800 * MB, vms: 1, waitSeconds: 0 }, [sample(1, 1600 * MB, 2, 2.5), sample(1, 1600 * MB, 2, 2.5)]);
    expect(f).toMatchObject({ basis: 'measured', samples: 2, rateBytesPerSecond: 800 * MB, perVmSeconds: FORECAST_DEFAULTS.perVmSeconds });
    expect(f.seconds).toBeCloseTo(0.5 + 1, 1);
  });

  it('fits a fixed and a per-VM time once the recoveries cover two VM counts; the rate from the big disks alone', () => {
    // a 1.6 GB domain of one VM (3 s, 2 of them rehydrating) and 1,000 small VMs (12 s): 10 ms per VM beyond a fixed ~1 s
    const samples = [sample(1, 1600 * MB, 2, 3), sample(1000, 800 * MB, 6, 12)];
    const f = forecastRto({ bytes: 800 * MB, vms: 1000, waitSeconds: 0 }, samples);
    expect(f).toMatchObject({ rateBytesPerSecond: 800 * MB, perVmSeconds: 0.01, fixedSeconds: 1, seconds: 12 });
    expect(forecastRto({ bytes: 1600 * MB, vms: 1, waitSeconds: 0 }, samples).seconds).toBe(3);
  });

  it('is not carried by one slow run: medians of the rate and of each VM count', () => {
    const samples = [sample(1, 1600 * MB, 2, 2.5), sample(1, 1600 * MB, 8, 12), sample(1, 1600 * MB, 2, 2.5)];
    expect(forecastRto({ bytes: 1600 * MB, vms: 1, waitSeconds: 0 }, samples)).toMatchObject({
      rateBytesPerSecond: 800 * MB,
      seconds: 2.5,
    });
  });

  it('takes the plan waits the samples ran out of what they measured', () => {
    const f = forecastRto({ bytes: 0, vms: 1, waitSeconds: 0 }, [sample(1, 1600 * MB, 2, 62.5, 60)]);
    expect(f.fixedSeconds).toBeCloseTo(0.5 - FORECAST_DEFAULTS.perVmSeconds, 1);
  });
});
