// The product's default camera rules (private networks, RTSP ports) as a node without settings
// has them, for tests that build a household service themselves.
import { cameraAddressCheck } from '../../server/core/camera-address.ts';
import { parseCidrList } from '../../server/core/cidr.ts';
import { DEFAULT_CAMERA_NETWORKS, DEFAULT_CAMERA_PORTS } from '../../server/core/config.ts';

export const defaultCameraRules = cameraAddressCheck({ networks: parseCidrList(DEFAULT_CAMERA_NETWORKS), ports: DEFAULT_CAMERA_PORTS, ownPorts: () => [] });
