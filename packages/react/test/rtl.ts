import { configure } from '@testing-library/react';

// The machine is shared: conditions get 5 s rather than Testing Library's 1 s.
configure({ asyncUtilTimeout: 5000 });
