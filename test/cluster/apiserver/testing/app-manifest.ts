/** A small app for end-to-end tests: a ConfigMap, a Secret, a Deployment of the echo server and its Service. */
export function appManifest(name: string, replicas = 2): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-config
data:
  GREETING: hello
---
apiVersion: v1
kind: Secret
metadata:
  name: ${name}-secret
stringData:
  API_TOKEN: s3cret
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: echo
          image: tp-test-echo:local
          ports:
            - name: http
              containerPort: 8080
          env:
            - name: GREETING
              valueFrom:
                configMapKeyRef:
                  name: ${name}-config
                  key: GREETING
          envFrom:
            - secretRef:
                name: ${name}-secret
          readinessProbe:
            tcpSocket:
              port: http
            periodSeconds: 1
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
    app: ${name}
  ports:
    - name: http
      port: 80
      targetPort: http
`;
}
