// The camera address rules on their own, with a resolver the test controls: what DNS answers at
// each check is what is connected to, and one bad address among the answers refuses the camera.
import { describe, expect, it } from 'vitest';
import { cameraAddressCheck } from '../../server/core/camera-address.ts';
import { parseCidrList } from '../../server/core/cidr.ts';
import { DEFAULT_CAMERA_NETWORKS, DEFAULT_CAMERA_PORTS } from '../../server/core/config.ts';

const answers: Record<string, string[]> = {};
const rules = cameraAddressCheck(
  { networks: parseCidrList(DEFAULT_CAMERA_NETWORKS), ports: DEFAULT_CAMERA_PORTS, ownPorts: () => [] },
  async (host) => answers[host] ?? [],
);

describe('camera address rules', () => {
  it('pins the URL to the address just checked, keeping credentials, port and path', async () => {
    answers['cam.home'] = ['192.168.1.64'];
    expect(await rules.vet('rtsp://admin:p%40ss@cam.home:8554/ch1?x=1')).toBe('rtsp://admin:p%40ss@192.168.1.64:8554/ch1?x=1');
  });

  it('follows DNS from one check to the next: a name that now points at loopback is refused', async () => {
    answers['cam.home'] = ['127.0.0.1'];
    await expect(rules.vet('rtsp://cam.home/ch1')).rejects.toMatchObject({ code: 'bad_request', details: { reason: 'camera_address' } });
  });

  it('refuses a name with any address outside the networks, and IPv4-mapped loopback', async () => {
    answers['split.home'] = ['192.168.1.64', '169.254.169.254'];
    await expect(rules.vet('rtsp://split.home/ch1')).rejects.toThrow(/169\.254\.169\.254/);
    await expect(rules.vet('rtsp://[::ffff:127.0.0.1]/ch1')).rejects.toThrow(/outside/);
  });

  it('refuses schemes other than RTSP', async () => {
    for (const url of ['http://192.168.1.64/', 'file:///etc/passwd', 'rtmp://192.168.1.64/live']) await expect(rules.vet(url)).rejects.toThrow(/rtsp/);
  });
});
