"""ASE as an i-PI server for test/host/ipi-ase.test.ts (run with Debian's /usr/bin/python3, ASE 3.22).

usage: ase_ipi_server.py MODE (unix:NAME | tcp:PORT) STRUCTURE OUT.json [key=value ...]
  MODE md:   one single-point on a sheared (triclinic) copy, then VelocityVerlet for `steps` steps of `dt` fs from
             Maxwell-Boltzmann velocities at `temperature` K (seed `seed`); records every step.
  MODE bfgs: rattles the structure (stdev `rattle` Å, seed `seed`) and relaxes it with BFGS to fmax `fmax` eV/Å.
Everything ASE received through the socket is written as JSON (floats with repr, so they round-trip exactly):
positions and cell in Å, energy eV, forces eV/Å, stress 3x3 eV/Å³ (ASE sign), kinetic energy eV, masses amu,
initial velocities in Å/fs. TCP is bound to 127.0.0.1 only (ASE's own helper binds every interface).
"""
import json
import socket
import sys
from contextlib import contextmanager

import numpy as np
from ase import units
from ase.io import read
import ase.calculators.socketio as socketio
from ase.md.verlet import VelocityVerlet
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution, Stationary
from ase.optimize import BFGS


@contextmanager
def bind_loopback(port):
    s = socket.socket(socket.AF_INET)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', port))
    with s:
        yield s


socketio.bind_inetsocket = bind_loopback

mode, where, structure, out = sys.argv[1:5]
opts = dict(kv.split('=', 1) for kv in sys.argv[5:])
kind, name = where.split(':', 1)
calc_kwargs = dict(unixsocket=name) if kind == 'unix' else dict(port=int(name))
atoms = read(structure)
records = []


def record(a, tag):
    records.append(dict(
        tag=tag,
        positions=a.positions.tolist(),
        cell=a.cell[:].tolist(),
        energy=a.get_potential_energy(),
        forces=a.get_forces().tolist(),
        stress=a.get_stress(voigt=False).tolist(),
        kinetic=a.get_kinetic_energy(),
    ))


result = dict(records=records)
with socketio.SocketIOCalculator(timeout=60, **calc_kwargs) as calc:
    if mode == 'md':
        sheared = atoms.copy()
        shear = np.array([[1.0, 0.0, 0.0], [0.07, 1.0, 0.0], [-0.04, 0.05, 1.02]])
        sheared.set_cell(sheared.cell[:] @ shear, scale_atoms=True)
        sheared.calc = calc
        record(sheared, 'triclinic')
        MaxwellBoltzmannDistribution(atoms, temperature_K=float(opts.get('temperature', 600)),
                                     rng=np.random.RandomState(int(opts.get('seed', 1))))
        Stationary(atoms)
        result['masses'] = atoms.get_masses().tolist()
        result['velocities_A_per_fs'] = (atoms.get_velocities() * units.fs).tolist()
        atoms.calc = calc
        dyn = VelocityVerlet(atoms, float(opts.get('dt', 2)) * units.fs)
        # ASE calls the observers at step 0 too, so this records steps 0..steps
        dyn.attach(lambda: record(atoms, 'md'), interval=1)
        dyn.run(int(opts.get('steps', 50)))
    elif mode == 'bfgs':
        atoms.rattle(stdev=float(opts.get('rattle', 0.1)), seed=int(opts.get('seed', 1)))
        result['start_positions'] = atoms.positions.tolist()
        atoms.calc = calc
        opt = BFGS(atoms, logfile=None)
        result['converged'] = bool(opt.run(fmax=float(opts.get('fmax', 0.01)), steps=int(opts.get('max_steps', 200))))
        result['steps'] = opt.nsteps
        result['fmax'] = float(np.sqrt((atoms.get_forces() ** 2).sum(axis=1).max()))
        record(atoms, 'final')
    else:
        raise SystemExit('unknown mode ' + mode)
    result['morebytes'] = calc.results.get('morebytes', b'').decode('utf-8')

with open(out, 'w') as f:
    json.dump(result, f)
